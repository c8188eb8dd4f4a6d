"""Order 2 and order 3 against the exact master equation at a few atoms (issue 11).

For each (point, N): the photon number n of the exact permutation-symmetric master
equation (:func:`vlaser.laser.to_qutip`, Fock cutoff
:data:`vlaser.figures.order3.EXACT_FOCK`), and of the second- and third-order cumulant
fixed points (:func:`vlaser.laser.steady.steady_state`), with the relative errors.

Points (rates in units of Γ3):

* ``A``: :data:`vlaser.figures.order3.EXACT_POINT` (Δ2 = 2, Δ3 = −1, Ω2 = Ω3 = 0.5,
  Γ2 = 0.01, g = 0.4, κ = 0.1, ν2 = ν3 = 0.005).
* ``B``: A with ν2 = ν3 = 0 (no dephasing).
* ``C``: A with Δ2 = Δc = 1 and g = 0.3: the narrow-line pump Ω2 is twice as close to
  resonance (the 2-level population and the light shift of the lasing transition
  differ), weaker coupling, g/κ = 3 instead of 4.

Run: ``python benchmarks/order3_exact.py C 1 2 3 4`` (point, then atom numbers); one
line per N, as a Markdown table row. N = 4 takes minutes (the symmetric Liouvillian of
4 atoms × 8 Fock states). ``--fock F`` sets another Fock cutoff (the convergence check
of the exact n).
"""

from __future__ import annotations

import sys
import time

from vlaser.figures.order3 import EXACT_FOCK, EXACT_POINT

POINTS: dict[str, dict[str, float]] = {
    "A": dict(EXACT_POINT),
    "B": {**EXACT_POINT, "nu2": 0.0, "nu3": 0.0},
    "C": {**EXACT_POINT, "delta2": 1.0, "g": 0.3},
}


def row(point: str, n_atoms: int, fock: int = EXACT_FOCK) -> str:
    """One Markdown table row ``| point | N | exact n | order 2 | order 3 | exact solve |``.

    Args:
        point: Key of :data:`POINTS`.
        n_atoms: Number of atoms N.
        fock: Fock cutoff of the exact master equation.

    Returns:
        The row; an order whose fixed point is not converged/physical is marked.
    """
    from vlaser.cumulants import Create, Destroy
    from vlaser.laser import to_qutip
    from vlaser.laser.model import CAVITY
    from vlaser.laser.steady import steady_state
    from vlaser.params import LaserParams

    p = LaserParams(atoms=n_atoms, **POINTS[point])
    a, ad = Destroy(CAVITY), Create(CAVITY)
    t = time.perf_counter()
    em = to_qutip(p, fock)
    rho = em.steady_state()
    exact = float(em.expect(rho, ad * a).real)
    wall = time.perf_counter() - t
    cells = []
    for order in (2, 3):
        res = steady_state(p, order, dynamics=False)
        err = f"{(float(res.photons) / exact - 1) * 100:+.2f} %".replace("-", "−")
        if not (bool(res.converged) and bool(res.physical)):
            err += " (not converged/physical)"
        elif not bool(res.stable):
            err += " (unstable)"
        cells.append(err)
    return (
        f"| {point} | {n_atoms} | {exact:.6f} (Fock {fock}) | {cells[0]} | {cells[1]} "
        f"| {wall:.1f} s |"
    )


def main(argv: list[str]) -> None:
    fock = EXACT_FOCK
    if "--fock" in argv:
        i = argv.index("--fock")
        fock = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2 :]
    point = argv[0] if argv else "C"
    for n in [int(s) for s in argv[1:]] or [1, 2, 3]:
        print(row(point, n, fock), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
