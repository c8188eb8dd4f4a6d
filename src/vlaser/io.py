"""Atomic file output and provenance records.

Nothing half-written is left on disk: every writer writes to a temporary name in the
target directory and renames it over the target (``os.replace`` is atomic on POSIX).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np


def provenance(**extra: Any) -> dict[str, str]:
    """Attributes stored with every saved result: versions, time, command, extras.

    Values are strings (netCDF attributes); dicts are stored as JSON.
    """
    import scipy

    import vlaser

    attrs: dict[str, str] = {
        "vlaser_version": vlaser.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "python_version": platform.python_version(),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv) if sys.argv else "",
        "units": "rates and frequencies in units of Gamma3 (angular); times in 1/Gamma3",
    }
    for k, v in extra.items():
        attrs[k] = v if isinstance(v, str) else json.dumps(v, default=_json_default)
    return attrs


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it to ``target`` on success.

    On any exception the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write(target: str | os.PathLike[str], writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and atomically move the result to ``target``."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def write_text(target: str | os.PathLike[str], text: str) -> Path:
    """Atomically write a text file."""
    return atomic_write(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(target: str | os.PathLike[str], obj: Any) -> Path:
    """Atomically write a JSON file."""
    return write_text(target, json.dumps(obj, indent=2, default=_json_default) + "\n")


def write_netcdf(ds: Any, target: str | os.PathLike[str]) -> Path:
    """Atomically write an xarray Dataset to NetCDF (netCDF4 engine)."""
    return atomic_write(target, lambda p: ds.to_netcdf(p, engine="netcdf4"))


def write_dataset(ds: Any, target: str | os.PathLike[str]) -> Path:
    """Atomically write an xarray Dataset to ``.nc`` (NetCDF4) or ``.zarr`` (a store
    built under a temporary name beside the target, then renamed over it).

    Raises:
        ValueError: For another suffix.
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix == ".nc":
        return write_netcdf(ds, target)
    if suffix != ".zarr":
        raise ValueError(f"unsupported output {target.name!r}: use .nc or .zarr")
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    try:
        ds.to_zarr(tmp / "store.zarr", mode="w", consolidated=True)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp / "store.zarr", target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return target


def save_figure(fig: Any, target: str | os.PathLike[str], dpi: int = 150) -> Path:
    """Atomically save a matplotlib figure (format from the target's suffix)."""
    fmt = Path(target).suffix.lstrip(".") or "png"
    return atomic_write(target, lambda p: fig.savefig(p, dpi=dpi, format=fmt))


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays (recursively) to plain Python for ``json.dumps``."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None if np.isnan(obj) else obj
    return obj
