"""Result stores of scans: in memory, a checkpointed Zarr store, or NetCDF.

Layout of a result (the same in every target): one dimension coordinate per grid axis
(``units``, ``scan_kind``), one 0-d coordinate per fixed parameter (every adapter
parameter that is not scanned, with its units), one data variable per solver output
with dims ``(*axes, *output dims)`` and ``units``/``long_name`` attributes, and the
attributes of :func:`vlaser.io.provenance` plus ``solver``, ``solver_options``,
``fixed_params``, ``scan_axes``, ``scan_chunk_shape`` and ``scan_fingerprint`` (a
SHA-256 of solver name, options, outputs, axis values, fixed values and vlaser
version; it decides whether a store may be resumed).

**Zarr** (``*.zarr``, format 3): the store is built with all metadata and empty arrays
under a temporary name and renamed into place, so a store either does not exist or
has complete metadata. Every scan chunk is exactly one Zarr chunk of every array, so
writing it touches no finished chunk (and zarr writes each chunk file atomically).
After all its arrays are written, chunk k is marked done by a file
``.vlaser_done/k`` (holding the fingerprint) created by temp + rename: a chunk whose
marker exists is complete; a crash before the rename leaves it unmarked and it is
recomputed on resume. The marker folder is invisible to xarray/zarr readers; unfinished
points read as NaN (0 for integer outputs). Consolidated metadata is written at creation
(chunk writes never change it), so the store, finished or not, opens with
``xarray.open_zarr(path)`` like any Dataset.

**NetCDF** (``*.nc``): computed into the Zarr checkpoint ``FILE.nc.partial.zarr``,
then written to ``FILE.nc`` atomically (temp + rename) and the checkpoint removed.
The final write loads one variable at a time. A scan of a single chunk (e.g. up to
4096 points of ``atom.steady`` or ``laser.steady``) has nothing to checkpoint: it is
solved in memory and written atomically, without the Zarr store (whose creation and
removal cost more than such a scan's solve).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import vlaser
from vlaser.errors import ParameterError, StoreMismatchError, VlaserError
from vlaser.io import provenance, write_netcdf
from vlaser.scan.chunks import ChunkLayout
from vlaser.scan.grid import Grid
from vlaser.scan.solvers import SolverAdapter

#: Folder of per-chunk done markers inside a Zarr store.
DONE_DIR = ".vlaser_done"
#: Suffix of the Zarr checkpoint beside a NetCDF target.
PARTIAL_SUFFIX = ".partial.zarr"
#: Version of the store layout (part of the fingerprint).
STORE_FORMAT = 1


def scan_fingerprint(adapter: SolverAdapter, grid: Grid, fixed: Mapping[str, float]) -> str:
    """SHA-256 hex digest identifying a scan (not its chunking or executor).

    Floats enter as exact hex strings, so two scans share a fingerprint only if every
    axis value and fixed value agrees bit for bit.
    """
    record = {
        "format": STORE_FORMAT,
        "vlaser_version": vlaser.__version__,
        "solver": adapter.name,
        "solver_class": f"{type(adapter).__module__}.{type(adapter).__qualname__}",
        "options": adapter.options,
        "outputs": {k: [list(v.dims), list(v.shape), v.dtype] for k, v in adapter.outputs.items()},
        "axes": [[a.name, [float(v).hex() for v in a.values]] for a in grid.axes],
        "fixed": {k: float(v).hex() for k, v in sorted(fixed.items())},
    }
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class ScanSchema:
    """Shape, coordinates, variables and attributes of one scan's result.

    Attributes:
        adapter: The solver adapter.
        grid: The scanned axes.
        fixed: Every non-scanned parameter -> value.
        layout: Chunk layout (decides the Zarr chunks).
        fingerprint: :func:`scan_fingerprint` of the scan.
    """

    adapter: SolverAdapter
    grid: Grid
    fixed: Mapping[str, float]
    layout: ChunkLayout
    fingerprint: str

    @classmethod
    def build(
        cls, adapter: SolverAdapter, grid: Grid, fixed: Mapping[str, float], layout: ChunkLayout
    ) -> ScanSchema:
        """Schema with the fingerprint computed."""
        return cls(adapter, grid, dict(fixed), layout, scan_fingerprint(adapter, grid, fixed))

    def with_layout(self, layout: ChunkLayout) -> ScanSchema:
        """The same scan with another chunk layout (fingerprint unchanged)."""
        return ScanSchema(self.adapter, self.grid, self.fixed, layout, self.fingerprint)

    def units(self, name: str) -> str:
        return self.adapter.param_units.get(name, "")

    def attrs(self) -> dict[str, Any]:
        """Global attributes: provenance strings plus ``fixed_NAME`` per fixed parameter."""
        attrs: dict[str, Any] = provenance(
            solver=self.adapter.name,
            solver_options=dict(self.adapter.options),
            fixed_params=dict(self.fixed),
            scan_axes=list(self.grid.names),
            scan_chunk_shape=list(self.layout.chunk_shape),
            scan_fingerprint=self.fingerprint,
        )
        for name, value in self.fixed.items():
            if isinstance(value, int | float):
                attrs[f"fixed_{name}"] = float(value)
        attrs.update(self.adapter.extra_attrs())
        return attrs

    def coords(self) -> dict[str, tuple[Any, Any, dict[str, str]]]:
        """Coordinates as ``name -> (dims, values, attrs)``."""
        out: dict[str, tuple[Any, Any, dict[str, str]]] = {}
        for a in self.grid.axes:
            out[a.name] = (
                a.name,
                np.asarray(a.values),
                {"units": self.units(a.name), "scan_kind": a.kind},
            )
        used = {d for spec in self.adapter.outputs.values() for d in spec.dims}
        for dim, (values, units) in self.adapter.dim_coords.items():
            if dim in used:
                out[dim] = (dim, np.asarray(values), {"units": units})
        for name, value in self.fixed.items():
            out[name] = ((), np.float64(value), {"units": self.units(name), "scan_role": "fixed"})
        return out

    def variables(
        self,
    ) -> dict[str, tuple[tuple[str, ...], tuple[int, ...], np.dtype, dict[str, str]]]:
        """Data variables as ``name -> (dims, shape, dtype, attrs)``."""
        out = {}
        for name, spec in self.adapter.outputs.items():
            attrs = {"units": spec.units}
            if spec.long_name:
                attrs["long_name"] = spec.long_name
            out[name] = (
                (*self.grid.names, *spec.dims),
                (*self.grid.shape, *spec.shape),
                np.dtype(spec.dtype),
                attrs,
            )
        return out


def _fill_value(dtype: np.dtype) -> Any:
    return np.nan if dtype.kind in "fc" else 0


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------


class Target:
    """Where a scan's chunks go; created by :func:`open_target`."""

    #: True when the target already holds the finished scan (nothing to compute).
    complete = False

    def __init__(self, schema: ScanSchema) -> None:
        self.schema = schema

    @property
    def layout(self) -> ChunkLayout:
        return self.schema.layout

    def create(self) -> None:
        """Make the (empty) target if it does not exist yet."""

    def done(self) -> set[int]:
        """Chunks already finished."""
        return set()

    def write(self, chunk: int, outputs: Mapping[str, np.ndarray]) -> None:
        """Store chunk ``chunk`` and mark it done."""
        raise NotImplementedError

    def finish(self) -> Any:
        """Finalize and return the result as an ``xarray.Dataset``."""
        raise NotImplementedError


class MemoryTarget(Target):
    """Results held in an in-memory Dataset (``store=None``)."""

    def create(self) -> None:
        import xarray as xr

        data_vars = {
            name: (dims, np.full(shape, _fill_value(dtype), dtype=dtype), attrs)
            for name, (dims, shape, dtype, attrs) in self.schema.variables().items()
        }
        self._ds = xr.Dataset(data_vars, coords=self.schema.coords(), attrs=self.schema.attrs())

    def write(self, chunk: int, outputs: Mapping[str, np.ndarray]) -> None:
        sl = self.layout.slices(chunk)
        for name, arr in outputs.items():
            self._ds[name].data[sl] = arr

    def finish(self) -> Any:
        return self._ds


class ZarrTarget(Target):
    """A checkpointed Zarr store (see module docstring)."""

    def __init__(
        self, schema: ScanSchema, path: Path, exists: bool, replace: tuple[Path, ...] = ()
    ) -> None:
        super().__init__(schema)
        self.path = path
        self._exists = exists
        self._replace = replace
        self._arrays: dict[str, Any] = {}

    @property
    def done_dir(self) -> Path:
        return self.path / DONE_DIR

    def create(self) -> None:
        _remove(self._replace)
        self._replace = ()
        if self._exists:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(
            tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        )
        try:
            _write_empty_store(tmp, self.schema)
            os.rename(tmp, self.path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._exists = True

    def done(self) -> set[int]:
        if not self._exists or self._replace:
            return set()
        return _done_chunks(self.done_dir, self.layout.n_chunks, self.schema.fingerprint)

    def _array(self, name: str) -> Any:
        if not self._arrays:
            import zarr

            group = zarr.open_group(self.path, mode="r+")
            self._arrays = {k: group[k] for k in self.schema.adapter.outputs}
        return self._arrays[name]

    def write(self, chunk: int, outputs: Mapping[str, np.ndarray]) -> None:
        _write_arrays(
            [(self._array(name), arr) for name, arr in outputs.items()], self.layout.slices(chunk)
        )
        marker = self.done_dir / str(chunk)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.done_dir)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(self.schema.fingerprint + "\n")
        os.replace(tmp, marker)

    def finish(self) -> Any:
        import xarray as xr

        ds = xr.open_zarr(self.path, chunks=None)
        return ds[list(self.schema.adapter.outputs)]  # zarr lists arrays alphabetically


class NetCDFTarget(ZarrTarget):
    """NetCDF file computed through a Zarr checkpoint ``FILE.nc.partial.zarr``."""

    def __init__(
        self,
        schema: ScanSchema,
        path: Path,
        partial_exists: bool,
        complete: bool,
        replace: tuple[Path, ...] = (),
    ) -> None:
        super().__init__(schema, partial_path(path), partial_exists, replace)
        self.final = path
        self.complete = complete

    def finish(self) -> Any:
        import xarray as xr

        if not self.complete:
            with super().finish() as ds:
                write_netcdf(ds.drop_encoding(), self.final)
            self.complete = True
        # Also clears a checkpoint left by a crash between the rename and this cleanup.
        shutil.rmtree(self.path, ignore_errors=True)
        return xr.open_dataset(self.final)


class DirectNetCDFTarget(MemoryTarget):
    """NetCDF file of a scan that is one chunk: solved in memory and written by
    :meth:`finish` (temp + rename). A checkpoint would hold nothing to resume from:
    killed before the write, the scan has no finished chunk either way."""

    def __init__(self, schema: ScanSchema, path: Path, replace: tuple[Path, ...] = ()) -> None:
        super().__init__(schema)
        self.final = path
        self._replace = replace

    def create(self) -> None:
        _remove(self._replace)
        self._replace = ()
        super().create()

    def finish(self) -> Any:
        import xarray as xr

        write_netcdf(self._ds, self.final)
        return xr.open_dataset(self.final)


def _remove(paths: tuple[Path, ...]) -> None:
    """Remove what ``--overwrite`` replaces (checked by :func:`open_target`, removed
    only when the scan starts writing)."""
    for old in paths:
        shutil.rmtree(old) if old.is_dir() else old.unlink(missing_ok=True)


def _write_arrays(arrays: list[tuple[Any, np.ndarray]], selection: tuple[slice, ...]) -> None:
    """``array[selection] = value`` for every pair, returning when all are written.

    zarr-python 3 runs each write on its event-loop thread; issuing all of a chunk's
    writes in one trip (``asyncio.gather``) overlaps them and roughly halves the time
    per chunk. Falls back to one write after another if zarr's internals differ.
    """
    import asyncio

    try:
        from zarr.core.sync import sync

        async_arrays = [(a._async_array, v) for a, v in arrays]
    except (ImportError, AttributeError):
        for a, v in arrays:
            a[selection] = v
        return

    async def put_all() -> None:
        await asyncio.gather(*(a.setitem(selection, v) for a, v in async_arrays))

    sync(put_all())


def _done_chunks(done_dir: Path, n_chunks: int, fingerprint: str) -> set[int]:
    """Chunks with a committed marker holding ``fingerprint``."""
    if not done_dir.is_dir():
        return set()
    out = set()
    for entry in os.scandir(done_dir):
        if entry.name.isdigit() and int(entry.name) < n_chunks:
            with open(entry.path, encoding="ascii") as fh:
                if fh.read().strip() == fingerprint:
                    out.add(int(entry.name))
    return out


def scan_status(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Progress of a scan store: chunks done and total, solver, axes, fingerprint.

    Args:
        path: A ``*.zarr`` store, or a ``*.nc`` target (finished, or its checkpoint).

    Raises:
        VlaserError: If nothing is there or it is not a vlaser scan store.
    """
    import xarray as xr

    path = Path(path)
    complete = path.suffix.lower() == ".nc" and path.exists()
    zarr_path = partial_path(path) if path.suffix.lower() == ".nc" else path
    if not (complete or zarr_path.exists()):
        raise VlaserError(f"no scan store at {path}")
    try:
        if complete:
            ds = xr.open_dataset(path)
        else:
            ds = xr.open_zarr(zarr_path, chunks=None)
    except (OSError, ValueError, KeyError) as exc:
        raise VlaserError(f"{path} is not a vlaser scan store ({exc})") from None
    with ds:
        attrs = dict(ds.attrs)
        if "scan_fingerprint" not in attrs:
            raise VlaserError(f"{path} is not a vlaser scan store")
        axes = json.loads(attrs["scan_axes"])
        layout = ChunkLayout(
            tuple(ds.sizes[a] for a in axes), tuple(json.loads(attrs["scan_chunk_shape"]))
        )
    fp = attrs["scan_fingerprint"]
    n_done = (
        layout.n_chunks
        if complete
        else len(_done_chunks(zarr_path / DONE_DIR, layout.n_chunks, fp))
    )
    return {
        "path": str(path),
        "solver": attrs.get("solver"),
        "axes": axes,
        "shape": list(layout.shape),
        "chunks": layout.n_chunks,
        "chunks_done": n_done,
        "complete": complete or n_done == layout.n_chunks,
        "fingerprint": fp,
    }


def partial_path(path: str | os.PathLike[str]) -> Path:
    """The Zarr checkpoint path of a NetCDF target."""
    path = Path(path)
    return path.with_name(path.name + PARTIAL_SUFFIX)


def _write_empty_store(path: Path, schema: ScanSchema) -> None:
    """Coordinates and attributes via xarray, empty chunked arrays via zarr."""
    import xarray as xr
    import zarr

    coords = xr.Dataset(coords=schema.coords(), attrs=schema.attrs())
    with warnings.catch_warnings():
        # Labels such as axis = ("k2", "k3") are fixed-length strings, which zarr 3
        # stores and reads back but flags as not yet in the v3 spec.
        warnings.filterwarnings("ignore", message=".*does not have a Zarr V3 specification")
        coords.to_zarr(path, mode="w", zarr_format=3, consolidated=False)
    group = zarr.open_group(path, mode="r+")
    for name, (dims, shape, dtype, attrs) in schema.variables().items():
        extra = shape[len(schema.grid.shape) :]
        group.create_array(
            name,
            shape=shape,
            chunks=(*schema.layout.chunk_shape, *extra) if shape else None,
            dtype=dtype,
            fill_value=_fill_value(dtype),
            dimension_names=list(dims),
            attributes=attrs,
        )
    _consolidate(path)
    (path / DONE_DIR).mkdir()


def _consolidate(path: Path) -> None:
    """Consolidated metadata: readers open the store without listing its folders.

    Written once at creation (chunk writes never change metadata), so the store opens
    without warnings while in progress too. zarr warns that consolidated metadata is
    not part of the v3 spec; that is expected here.
    """
    import zarr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.consolidate_metadata(path)


def _stored_attrs(path: Path, engine: str) -> dict[str, Any] | None:
    """Global attributes of an existing store/file, or None if unreadable."""
    try:
        if engine == "zarr":
            import zarr

            return dict(zarr.open_consolidated(path, mode="r").attrs)
        import netCDF4

        with netCDF4.Dataset(path) as nc:
            return {k: nc.getncattr(k) for k in nc.ncattrs()}
    except Exception:  # anything unreadable is "not a vlaser scan store"
        return None


def _check_same_scan(path: Path, attrs: dict[str, Any] | None, schema: ScanSchema) -> None:
    if attrs is None or "scan_fingerprint" not in attrs:
        raise VlaserError(f"{path} exists and is not a vlaser scan store; choose another --out")
    if attrs["scan_fingerprint"] == schema.fingerprint:
        return
    new = schema.attrs()
    differs = [
        k
        for k in ("solver", "solver_options", "scan_axes", "fixed_params", "vlaser_version")
        if attrs.get(k) != new[k]
    ]
    what = ", ".join(differs) if differs else "axis values"
    raise StoreMismatchError(
        f"cannot resume {path}: it holds another scan (different {what}; fingerprint "
        f"{str(attrs['scan_fingerprint'])[:12]} vs {schema.fingerprint[:12]}); "
        "choose another --out or pass --overwrite"
    )


def _check_removable(path: Path, engine: str) -> None:
    attrs = _stored_attrs(path, engine)
    if attrs is None or "scan_fingerprint" not in attrs:
        raise VlaserError(f"refusing to overwrite {path}: it is not a vlaser scan store")


def open_target(
    store: str | os.PathLike[str] | None,
    schema: ScanSchema,
    resume: bool = False,
    overwrite: bool = False,
) -> Target:
    """Check the target against the scan and return it; writes nothing yet.

    Only ``overwrite=True`` removes an existing (vlaser) store or file, and only when
    the caller proceeds to :meth:`Target.create`.

    Args:
        store: ``None`` (in memory), ``*.zarr`` or ``*.nc``.
        schema: The scan.
        resume: Continue an existing store of the same scan (a missing one is created).
        overwrite: Replace an existing vlaser store of any scan.

    Raises:
        ParameterError: For an unsupported suffix or ``resume`` with ``overwrite``.
        VlaserError: If the target exists without ``resume``/``overwrite``, holds
            another scan (fingerprint mismatch), or is not a vlaser store.
    """
    if store is None:
        return MemoryTarget(schema)
    if resume and overwrite:
        raise ParameterError("resume", True, "not together with overwrite")
    path = Path(store)
    suffix = path.suffix.lower()
    if suffix not in (".zarr", ".nc"):
        raise ParameterError("out", str(store), "a path ending in .zarr or .nc")
    zarr_path = path if suffix == ".zarr" else partial_path(path)
    candidates = [(zarr_path, "zarr")] + ([(path, "netcdf")] if suffix == ".nc" else [])
    existing = [(p, e) for p, e in candidates if p.exists()]
    if existing and not (resume or overwrite):
        raise VlaserError(
            f"{existing[0][0]} exists; pass --resume to continue it or --overwrite to replace it"
        )
    layout = schema.layout
    replace: tuple[Path, ...] = ()
    if overwrite:
        for p, e in existing:
            _check_removable(p, e)
        replace = tuple(p for p, _ in existing)
        existing = []
    for p, e in existing:
        attrs = _stored_attrs(p, e)
        _check_same_scan(p, attrs, schema)
        if e == "zarr":
            layout = ChunkLayout(schema.layout.shape, tuple(json.loads(attrs["scan_chunk_shape"])))
    schema = schema.with_layout(layout)
    if suffix == ".zarr":
        return ZarrTarget(schema, path, exists=bool(existing), replace=replace)
    final_done = any(e == "netcdf" for _, e in existing)
    partial = any(e == "zarr" for _, e in existing)
    if not (final_done or partial) and layout.n_chunks == 1:
        return DirectNetCDFTarget(schema, path, replace)
    return NetCDFTarget(schema, path, partial, final_done, replace)


__all__ = [
    "DONE_DIR",
    "PARTIAL_SUFFIX",
    "DirectNetCDFTarget",
    "MemoryTarget",
    "NetCDFTarget",
    "ScanSchema",
    "Target",
    "ZarrTarget",
    "open_target",
    "partial_path",
    "scan_fingerprint",
    "scan_status",
]
