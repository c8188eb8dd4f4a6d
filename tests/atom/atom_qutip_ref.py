"""Independent reference: the V-atom master equation built with QuTiP operators.

Used only by tests. Built from ``qutip.basis`` projectors, not from vlaser's
superoperator code, so agreement checks the vectorization, signs and rates.
"""

from __future__ import annotations

import numpy as np
import qutip

from vlaser.params import AtomParams


def ops() -> dict[str, qutip.Qobj]:
    """σij = |i><j| for i, j in 1..3 as QuTiP operators (keys "s11", "s12", ...)."""
    kets = [qutip.basis(3, k) for k in range(3)]
    return {f"s{i + 1}{j + 1}": kets[i] * kets[j].dag() for i in range(3) for j in range(3)}


def model(p: AtomParams) -> tuple[qutip.Qobj, list[qutip.Qobj]]:
    """Hamiltonian and collapse operators of one parameter point (scalar ``p``)."""
    s = ops()
    h = (
        -p.delta2 * s["s22"]
        - p.delta3 * s["s33"]
        + p.omega2 * (s["s21"] + s["s12"])
        + p.omega3 * (s["s31"] + s["s13"])
    )
    c_ops = []
    for rate, op in (
        (p.gamma2, s["s12"]),
        (p.gamma3, s["s13"]),
        (p.nu2, s["s22"]),
        (p.nu3, s["s33"]),
        (p.gamma23, s["s32"]),
    ):
        if rate > 0:
            c_ops.append(np.sqrt(rate) * op)
    return h, c_ops


def random_point(rng: np.random.Generator, extras: bool = True) -> AtomParams:
    """A random parameter point covering the paper's ranges (and ν, Γ23 ≠ 0)."""
    kw = dict(
        delta2=rng.uniform(-10, 10),
        delta3=rng.uniform(-10, 10),
        omega2=rng.uniform(0.01, 3),
        omega3=rng.uniform(0.01, 3),
        gamma2=10 ** rng.uniform(-4, -1),
    )
    if extras:
        kw.update(
            nu2=rng.choice([0.0, 10 ** rng.uniform(-4, -1)]),
            nu3=rng.choice([0.0, rng.uniform(0, 1)]),
            gamma23=rng.choice([0.0, 10 ** rng.uniform(-4, -2)]),
        )
    return AtomParams(**kw)
