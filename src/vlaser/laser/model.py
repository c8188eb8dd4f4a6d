"""The N-atom V-level laser of paper eqs. (5)-(10) as a cumulant-engine model.

H = −Δc a†a + Σ_j [ g(a†σ12^j + aσ21^j) − Δ2σ22^j − Δ3σ33^j
                   + Ω2(σ21^j + σ12^j) + Ω3(σ31^j + σ13^j) ]

L = 2κ D[a] + Σ_j [Γ2 D[σ12^j] + Γ3 D[σ13^j] + Γ23 D[σ32^j]]
    + ν3 D[S3] + ν2 D[a†a + S2],        Si = Σ_j σii^j.

κ is the cavity FIELD decay rate (conventions): the photon number decays at 2κ. The
pump linewidths act collectively (one pump phase for all atoms), so phase-invariant
products such as ⟨aσ21⟩ or ⟨σ21^1σ12^2⟩ get no ν2 damping. The ground level |1> is
eliminated by completeness, σ11 = 1 − σ22 − σ33.
"""

from __future__ import annotations

import sympy as sp

from vlaser.cumulants.algebra import Create, Destroy, FockSpace, Index, NLevelSpace, Transition
from vlaser.cumulants.model import Jump, Model, Sum
from vlaser.laser.fields import FIELDS, GROUP_FIELDS, SHARED_FIELDS

#: Parameter symbols (all real; N positive). Names match :class:`vlaser.params.LaserParams`.
DELTA_C, DELTA2, DELTA3 = sp.symbols("Δc Δ2 Δ3", real=True)
OMEGA2, OMEGA3, G = sp.symbols("Ω2 Ω3 g", real=True)
KAPPA, GAMMA2, GAMMA3, GAMMA23 = sp.symbols("κ Γ2 Γ3 Γ23", real=True)
NU2, NU3 = sp.symbols("ν2 ν3", real=True)
N = sp.Symbol("N", positive=True)

#: LaserParams field name -> symbol (``atoms`` is N).
PARAMETER_NAMES: dict[str, sp.Symbol] = {
    "delta_c": DELTA_C,
    "delta2": DELTA2,
    "delta3": DELTA3,
    "omega2": OMEGA2,
    "omega3": OMEGA3,
    "g": G,
    "kappa": KAPPA,
    "gamma2": GAMMA2,
    "gamma3": GAMMA3,
    "gamma23": GAMMA23,
    "nu2": NU2,
    "nu3": NU3,
    "atoms": N,
}

CAVITY = FockSpace("a")
ATOM = NLevelSpace("atom", 3, ground=1)


def laser_model(n_atoms: sp.Expr | int | None = None, ground_eliminated: bool = True) -> Model:
    """The laser model of eqs. (5)-(10) plus the optional Γ23 D[σ32^j] channel.

    Args:
        n_atoms: N as a sympy symbol (default: the symbol ``N``) or an int.
        ground_eliminated: Eliminate σ11 by completeness (default, as in the paper's
            37-equation system).

    Returns:
        The :class:`~vlaser.cumulants.model.Model`; its ``parameters`` are in the order
        of :data:`PARAMETER_NAMES` (N last, only if symbolic).
    """
    space = ATOM if ground_eliminated else NLevelSpace("atom", 3, ground=None)
    a = Destroy(CAVITY)
    ad = Create(CAVITY)
    j = Index("j")

    def s(i: int, k: int):
        return Transition(space, i, k, j)

    atom_h = (
        G * (ad * s(1, 2) + a * s(2, 1))
        - DELTA2 * s(2, 2)
        - DELTA3 * s(3, 3)
        + OMEGA2 * (s(2, 1) + s(1, 2))
        + OMEGA3 * (s(3, 1) + s(1, 3))
    )
    h = -DELTA_C * ad * a + Sum(atom_h, j)
    jumps = [
        Jump(2 * KAPPA, a),
        Jump(GAMMA2, s(1, 2), over=j),
        Jump(GAMMA3, s(1, 3), over=j),
        Jump(GAMMA23, s(3, 2), over=j),
        Jump(NU3, Sum(s(3, 3), j)),
        Jump(NU2, ad * a + Sum(s(2, 2), j)),
    ]
    n = N if n_atoms is None else n_atoms
    params = tuple(v for k, v in PARAMETER_NAMES.items() if k != "atoms")
    if isinstance(n, sp.Symbol):
        params = params + (n,)
    return Model((CAVITY,), space, h, jumps, n, params, name="vlaser-laser")


# GROUP_FIELDS (per-group parameters) and SHARED_FIELDS live in vlaser.laser.fields.
assert tuple(PARAMETER_NAMES) == FIELDS


def group_space(k: int) -> NLevelSpace:
    """The level space of atom group ``k`` (1-based; ground eliminated)."""
    return NLevelSpace(f"atom{k}", 3, ground=1)


def group_symbols(k: int) -> dict[str, sp.Symbol]:
    """Per-group parameter symbols of group ``k``: ``Δ2_k``, ..., ``N_k``."""
    out = {}
    for name in GROUP_FIELDS:
        base = PARAMETER_NAMES[name]
        if name == "atoms":
            out[name] = sp.Symbol(f"N_{k}", positive=True)
        else:
            out[name] = sp.Symbol(f"{base.name}_{k}", real=True)
    return out


def laser_group_model(n_groups: int, counts: tuple[int, ...] | None = None) -> Model:
    """The laser with ``n_groups`` groups of identical atoms, all in one cavity mode.

    H = −Δc a†a + Σ_k Σ_{j∈k} [ g_k(a†σ12^j + aσ21^j) − Δ2_k σ22^j − Δ3_k σ33^j
                                + Ω2_k(σ21^j + σ12^j) + Ω3_k(σ31^j + σ13^j) ]

    L = 2κ D[a] + Σ_j [Γ2 D[σ12^j] + Γ3 D[σ13^j] + Γ23 D[σ32^j]]
        + ν3 D[Σ_k S3^k] + ν2 D[a†a + Σ_k S2^k]:

    the pump phase noise is common to all groups (one pair of lasers). Group k has
    the per-group symbols of :func:`group_symbols` and N_k atoms (symbolic, or
    ``counts[k-1]`` explicit atoms). With one group this is :func:`laser_model` with
    renamed symbols.

    Returns:
        The :class:`Model`; parameters: the shared ones (order of
        :data:`SHARED_FIELDS`), then each group's (order of :data:`GROUP_FIELDS`,
        N_k only if symbolic).
    """
    from vlaser.cumulants.model import AtomGroup

    if n_groups < 1:
        raise ValueError("n_groups must be >= 1")
    a = Destroy(CAVITY)
    ad = Create(CAVITY)
    h = -DELTA_C * ad * a
    jumps = [Jump(2 * KAPPA, a)]
    s3_all, s2_all = None, ad * a
    groups, params = [], [PARAMETER_NAMES[k] for k in SHARED_FIELDS]
    for k in range(1, n_groups + 1):
        space = group_space(k)
        sym = group_symbols(k)
        j = Index(f"j{k}")

        def s(i: int, m: int, space=space, j=j):
            return Transition(space, i, m, j)

        atom_h = (
            sym["g"] * (ad * s(1, 2) + a * s(2, 1))
            - sym["delta2"] * s(2, 2)
            - sym["delta3"] * s(3, 3)
            + sym["omega2"] * (s(2, 1) + s(1, 2))
            + sym["omega3"] * (s(3, 1) + s(1, 3))
        )
        h = h + Sum(atom_h, j)
        jumps += [
            Jump(GAMMA2, s(1, 2), over=j),
            Jump(GAMMA3, s(1, 3), over=j),
            Jump(GAMMA23, s(3, 2), over=j),
        ]
        s3_all = Sum(s(3, 3), j) if s3_all is None else s3_all + Sum(s(3, 3), j)
        s2_all = s2_all + Sum(s(2, 2), j)
        n = sym["atoms"] if counts is None else int(counts[k - 1])
        groups.append(AtomGroup(space, n))
        params += [sym[f] for f in GROUP_FIELDS if f != "atoms"]
        if counts is None:
            params.append(sym["atoms"])
    jumps += [Jump(NU3, s3_all), Jump(NU2, s2_all)]
    return Model(
        (CAVITY,),
        groups[0].space,
        h,
        jumps,
        groups[0].n_atoms,
        tuple(params),
        name=f"vlaser-laser-{n_groups}-groups",
        groups=tuple(groups),
    )


def laser_family():
    """The laser's :class:`~vlaser.cumulants.groups.GroupFamily` (groups of atoms with
    their own detunings, Rabi frequencies, coupling and number; see
    :func:`laser_group_model`)."""
    from vlaser.cumulants.groups import GroupFamily

    return GroupFamily(
        name="vlaser-laser-groups",
        build=laser_group_model,
        space=group_space,
        symbols=group_symbols,
        shared=tuple(PARAMETER_NAMES[k] for k in SHARED_FIELDS),
        fields=GROUP_FIELDS,
    )


def parameter_values(params) -> dict[sp.Symbol, float]:
    """Symbol -> value for one scalar :class:`~vlaser.params.LaserParams` point."""
    vals = params.values()
    return {sym: float(vals[name]) for name, sym in PARAMETER_NAMES.items()}


def to_qutip(params, fock_dim: int, n_atoms: int | None = None, ground_eliminated: bool = True):
    """Exact QuTiP master equation of the laser for a few explicit atoms.

    Built from the same model definition as the cumulant equations
    (:func:`laser_model`), see :func:`vlaser.cumulants.exact.to_qutip`.

    Args:
        params: One scalar :class:`~vlaser.params.LaserParams` point.
        fock_dim: Fock cutoff (photon numbers 0..fock_dim-1).
        n_atoms: Explicit atom number (default ``params.atoms``).
        ground_eliminated: Passed to :func:`laser_model` (the matrices are identical).

    Returns:
        :class:`vlaser.cumulants.exact.ExactModel`.
    """
    from vlaser.cumulants.exact import to_qutip as _to_qutip

    n = int(params.atoms) if n_atoms is None else int(n_atoms)
    return _to_qutip(laser_model(None, ground_eliminated), n, fock_dim, parameter_values(params))


__all__ = [
    "ATOM",
    "CAVITY",
    "GROUP_FIELDS",
    "N",
    "PARAMETER_NAMES",
    "SHARED_FIELDS",
    "group_space",
    "group_symbols",
    "laser_family",
    "laser_group_model",
    "laser_model",
    "parameter_values",
    "to_qutip",
]
