"""A synthetic solver adapter for tests and benchmarks of the scan layer.

:class:`SyntheticSolver` computes closed-form functions of three parameters ``x``,
``y``, ``z`` (so every executor can be compared bit for bit and against the formula)
and can be told to burn CPU, sleep, log each solve call to a folder, or kill its own
worker process on the first attempt at a chosen chunk. It is importable by worker
processes (spawned pools, Dask workers) because it lives in the package.

It is not registered by name; use ``"vlaser.scan.testing:SyntheticSolver"`` where a
solver name is expected.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from vlaser.scan.solvers import DIMENSIONLESS, OutputSpec, SolverAdapter

#: Name of the marker file that records that the planned worker kill happened.
KILLED_MARKER = "killed"
#: Name of the marker file that records that the planned failure happened.
FAILED_MARKER = "failed"


def _hits(x: np.ndarray, value: float | None) -> bool:
    return value is not None and bool(np.any(x == value))


def _first_time(marker_dir: str, name: str) -> bool:
    """Create ``marker_dir/name`` atomically; False if it existed already."""
    try:
        fd = os.open(Path(marker_dir) / name, os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def call_key(params: Mapping[str, np.ndarray]) -> str:
    """Identifier of a batch: hash of its first point and size (chunks are disjoint)."""
    first = ",".join(f"{k}={float(np.asarray(v)[0]).hex()}" for k, v in sorted(params.items()))
    n = len(next(iter(params.values())))
    return hashlib.sha1(f"{first};{n}".encode()).hexdigest()[:16]


def solve_calls(marker_dir: str | os.PathLike[str]) -> Counter[str]:
    """Number of solve calls per :func:`call_key` logged in ``marker_dir``."""
    calls: Counter[str] = Counter()
    root = Path(marker_dir) / "calls"
    if root.is_dir():
        for entry in root.iterdir():
            calls[entry.name.split(".", 1)[0]] += 1
    return calls


def expected_f(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The ``f`` output for ``work = 0``: sin(x) cos(y) + z."""
    return np.sin(x) * np.cos(y) + z


@dataclass(frozen=True)
class SyntheticSolver(SolverAdapter):
    """Closed-form outputs of (x, y, z) with optional slowness and faults.

    Outputs: ``f`` = sin(x) cos(y) + z (after ``work`` extra iterations
    f -> sin(f + y) cos(x) + z when ``work`` > 0), ``vec`` = (x + y, x y) along dim
    ``component`` (0: sum, 1: product), ``rounded`` = round(10 x) as int64.

    Options:
        work: Extra elementwise iterations per point (CPU load).
        sleep: Seconds to sleep per solve call.
        marker_dir: Folder where each call leaves ``calls/KEY.PID.NS`` (see
            :func:`solve_calls`); required by ``kill_x`` and ``fail_x``.
        kill_x: If set, the first call whose batch contains a point with x == kill_x
            exits its process with ``os._exit`` (only once: a marker file
            ``killed`` is created atomically first). Never use it in-process.
        fail_x: Like ``kill_x`` but raises ``RuntimeError`` once (marker ``failed``).
    """

    name: ClassVar[str] = "synthetic"
    param_names: ClassVar[tuple[str, ...]] = ("x", "y", "z")
    defaults: ClassVar[Mapping[str, float]] = {"x": 0.0, "y": 0.0, "z": 0.0}
    param_units: ClassVar[Mapping[str, str]] = dict.fromkeys(param_names, DIMENSIONLESS)
    outputs: ClassVar[Mapping[str, OutputSpec]] = {
        "f": OutputSpec(long_name="sin(x) cos(y) + z"),
        "vec": OutputSpec(("component",), (2,), long_name="(x + y, x y)"),
        "rounded": OutputSpec(dtype="int64", long_name="round(10 x)"),
    }
    dim_coords: ClassVar[Mapping[str, tuple[tuple[Any, ...], str]]] = {
        "component": ((0, 1), DIMENSIONLESS)
    }
    default_options: ClassVar[Mapping[str, Any]] = {
        "work": 0,
        "sleep": 0.0,
        "marker_dir": None,
        "kill_x": None,
        "fail_x": None,
    }

    def solve(self, params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        x, y, z = (np.asarray(params[k], dtype=float) for k in self.param_names)
        marker_dir = self.options["marker_dir"]
        if marker_dir is not None:
            calls = Path(marker_dir) / "calls"
            calls.mkdir(parents=True, exist_ok=True)
            (calls / f"{call_key(params)}.{os.getpid()}.{time.time_ns()}").touch()
            if _hits(x, self.options["kill_x"]) and _first_time(marker_dir, KILLED_MARKER):
                os._exit(17)
            if _hits(x, self.options["fail_x"]) and _first_time(marker_dir, FAILED_MARKER):
                raise RuntimeError(f"planned failure at x = {self.options['fail_x']}")
        if self.options["sleep"]:
            time.sleep(float(self.options["sleep"]))
        f = expected_f(x, y, z)
        for _ in range(int(self.options["work"])):
            f = np.sin(f + y) * np.cos(x) + z
        return {
            "f": f,
            "vec": np.stack([x + y, x * y], axis=-1),
            "rounded": np.round(10 * x).astype(np.int64),
        }


__all__ = [
    "FAILED_MARKER",
    "KILLED_MARKER",
    "SyntheticSolver",
    "call_key",
    "expected_f",
    "solve_calls",
]
