"""Declarative parameter grids.

Grammar of one axis (CLI ``--x``/``--y`` and grid specs):

* ``NAME=START:STOP:COUNT``      linear, COUNT points including both ends;
* ``NAME=log:START:STOP:COUNT``  logarithmic (START, STOP > 0);
* ``NAME=V1,V2,V3``              explicit values.

Each number accepts the same forms as :func:`vlaser.params.parse_rate` (e.g. ``10g2``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from vlaser.errors import ParameterError
from vlaser.params import DEFAULT_GAMMA2, parse_rate

if TYPE_CHECKING:
    from vlaser.scan.chunks import ChunkLayout

_GRAMMAR = "NAME=START:STOP:COUNT, NAME=log:START:STOP:COUNT or NAME=V1,V2,..."


@dataclass(frozen=True)
class Axis:
    """One scanned parameter.

    Attributes:
        name: Parameter name (a field of the solver's parameter class).
        values: 1-D float array of the grid values (units of Γ3 unless the parameter
            is a count such as ``atoms``).
        kind: ``"linear"``, ``"log"`` or ``"explicit"``.
    """

    name: str
    values: np.ndarray
    kind: str = "explicit"

    def __post_init__(self) -> None:
        vals = np.asarray(self.values, dtype=float)
        if vals.ndim != 1 or vals.size == 0:
            raise ParameterError(self.name, self.values, "a non-empty 1-D list of values")
        if not np.all(np.isfinite(vals)):
            raise ParameterError(self.name, self.values, "finite values")
        vals = vals.copy()
        vals.setflags(write=False)
        object.__setattr__(self, "values", vals)

    def __len__(self) -> int:
        return int(self.values.size)

    def spec(self) -> str:
        """Canonical text form (explicit values) for provenance records."""
        return f"{self.name}=" + ",".join(repr(float(v)) for v in self.values)


def parse_axis(
    spec: str,
    allowed: Iterable[str] | None = None,
    gamma2: float = DEFAULT_GAMMA2,
) -> Axis:
    """Parse one axis spec (see module docstring).

    Args:
        spec: The text, e.g. ``"delta2=-10:10:201"``.
        allowed: Parameter names that may be scanned; ``None`` allows any.
        gamma2: Meaning of the ``g2`` suffix.

    Raises:
        ParameterError: For an unknown parameter, a malformed spec or an empty axis.
    """
    if "=" not in spec:
        raise ParameterError("grid", spec, _GRAMMAR)
    name, _, rhs = spec.partition("=")
    name = name.strip().replace("-", "_")
    allowed = list(allowed) if allowed is not None else None
    if allowed is not None and name not in allowed:
        raise ParameterError("grid parameter", name, f"one of {', '.join(allowed)}")
    if not name or not rhs.strip():
        raise ParameterError("grid", spec, _GRAMMAR)
    parts = rhs.split(":")
    if len(parts) == 1:
        vals = [parse_rate(v, name, gamma2) for v in rhs.split(",") if v.strip()]
        if not vals:
            raise ParameterError("grid", spec, _GRAMMAR)
        return Axis(name, np.array(vals), "explicit")
    kind = "linear"
    if parts[0].strip().lower() == "log":
        kind = "log"
        parts = parts[1:]
    if len(parts) != 3:
        raise ParameterError("grid", spec, _GRAMMAR)
    start = parse_rate(parts[0], name, gamma2)
    stop = parse_rate(parts[1], name, gamma2)
    try:
        count = int(parts[2])
    except ValueError:
        raise ParameterError(
            "grid", spec, f"COUNT must be a whole number >= 1 ({_GRAMMAR})"
        ) from None
    if count < 1 or str(count) != parts[2].strip():
        raise ParameterError("grid", spec, f"COUNT must be a whole number >= 1 ({_GRAMMAR})")
    if kind == "log":
        if start <= 0 or stop <= 0:
            raise ParameterError("grid", spec, "log axes need START > 0 and STOP > 0")
        values = np.geomspace(start, stop, count)
    else:
        values = np.linspace(start, stop, count)
    return Axis(name, values, kind)


@dataclass(frozen=True)
class Grid:
    """An outer product of axes.

    Attributes:
        axes: The scanned axes, in dimension order.
    """

    axes: tuple[Axis, ...]

    def __post_init__(self) -> None:
        names = [a.name for a in self.axes]
        if len(set(names)) != len(names):
            raise ParameterError("grid", names, "each parameter may be scanned once")

    @classmethod
    def from_specs(
        cls,
        specs: Sequence[str],
        allowed: Iterable[str] | None = None,
        gamma2: float = DEFAULT_GAMMA2,
    ) -> Grid:
        """Build a grid from axis specs."""
        allowed = list(allowed) if allowed is not None else None
        return cls(tuple(parse_axis(s, allowed, gamma2) for s in specs))

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.axes)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    def chunks(self, chunk_size: int = 4096) -> ChunkLayout:
        """Partition into hyper-rectangular blocks of at most ``chunk_size`` points
        (see :mod:`vlaser.scan.chunks`)."""
        from vlaser.scan.chunks import ChunkLayout

        return ChunkLayout.for_shape(self.shape, chunk_size)

    def mesh(self) -> dict[str, np.ndarray]:
        """Broadcastable arrays per axis: axis k has shape (1,..,n_k,..,1)."""
        nd = len(self.axes)
        out = {}
        for k, a in enumerate(self.axes):
            shape = [1] * nd
            shape[k] = len(a)
            out[a.name] = a.values.reshape(shape)
        return out
