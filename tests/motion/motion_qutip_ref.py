"""Independent reference for the motion tests: the V-atom master equation of the
position-dependent Hamiltonian (paper eq. 12) built with QuTiP, for an atom held at
fixed phases φ_i = k_i r_i or moving uniformly, φ_i(t) = φ_i0 + v_i t.

The ensemble average of the quantum-jump trajectories with the motion frozen or
prescribed equals this density matrix exactly (the trajectories unravel it), and the
mean force is the linear functional F_i = Ω_i sin φ_i(t) 2 Re ρ_{i1}(t).
"""

from __future__ import annotations

import numpy as np
import qutip

from vlaser.params import AtomParams


def _proj(i: int, j: int) -> qutip.Qobj:
    return qutip.basis(3, i - 1) * qutip.basis(3, j - 1).dag()


def collapse(p: AtomParams) -> list[qutip.Qobj]:
    """√Γ2 σ12, √Γ3 σ13, √ν2 σ22, √ν3 σ33, √Γ23 σ32 (zero rates dropped)."""
    pairs = ((p.gamma2, (1, 2)), (p.gamma3, (1, 3)), (p.nu2, (2, 2)), (p.nu3, (3, 3)))
    pairs += ((p.gamma23, (3, 2)),)
    return [np.sqrt(rate) * _proj(*ij) for rate, ij in pairs if rate > 0]


def solve(
    p: AtomParams,
    times: np.ndarray,
    phase0: tuple[float, float] = (0.0, 0.0),
    velocity: tuple[float, float] = (0.0, 0.0),
) -> dict[str, np.ndarray]:
    """ρ(t) from |1>: populations (n_t, 3) and the forces (n_t, 2) in units ħk_i Γ3."""
    diag = -p.delta2 * _proj(2, 2) - p.delta3 * _proj(3, 3)
    x2 = p.omega2 * (_proj(2, 1) + _proj(1, 2))
    x3 = p.omega3 * (_proj(3, 1) + _proj(1, 3))
    (a2, a3), (v2, v3) = phase0, velocity
    if v2 == 0 and v3 == 0:
        h = diag + np.cos(a2) * x2 + np.cos(a3) * x3
    else:
        h = qutip.QobjEvo(
            [diag, [x2, lambda t: np.cos(a2 + v2 * t)], [x3, lambda t: np.cos(a3 + v3 * t)]]
        )
    e_ops = [_proj(1, 1), _proj(2, 2), _proj(3, 3), _proj(2, 1), _proj(3, 1)]
    opts = {"atol": 1e-11, "rtol": 1e-10, "nsteps": 10**6}
    res = qutip.mesolve(h, _proj(1, 1), times, collapse(p), e_ops=e_ops, options=opts)
    ex = [np.asarray(e) for e in res.expect]
    pops = np.real(np.stack(ex[:3], axis=-1))
    # e_ops σ21, σ31 give <σ_i1> = <σ_1i>*: the same real part as in eq. (14).
    force = np.stack(
        [
            p.omega2 * np.sin(a2 + v2 * times) * 2 * np.real(ex[3]),
            p.omega3 * np.sin(a3 + v3 * times) * 2 * np.real(ex[4]),
        ],
        axis=-1,
    )
    return {"populations": pops, "force": force}


def steady(p: AtomParams, phase0: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Steady-state populations (3,) of the atom held at the phases ``phase0``."""
    a2, a3 = phase0
    h = (
        -p.delta2 * _proj(2, 2)
        - p.delta3 * _proj(3, 3)
        + np.cos(a2) * p.omega2 * (_proj(2, 1) + _proj(1, 2))
        + np.cos(a3) * p.omega3 * (_proj(3, 1) + _proj(1, 3))
    )
    rho = qutip.steadystate(h, collapse(p))
    return np.real(np.diag(rho.full()))
