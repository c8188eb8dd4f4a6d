"""A symbolic cumulant engine for open quantum systems (QuantumCumulants.jl in Python).

Pipeline, one module per stage:

* :mod:`~vlaser.cumulants.algebra`: Hilbert spaces, operators, normal ordering;
* :mod:`~vlaser.cumulants.model`: Hamiltonian and jumps as templates over identical atoms;
* :mod:`~vlaser.cumulants.derive`: Heisenberg–Lindblad equations, symmetric atom sums;
* :mod:`~vlaser.cumulants.expand`: averages and the cumulant expansion to any order;
* :mod:`~vlaser.cumulants.complete`: closing the system;
* :mod:`~vlaser.cumulants.compile`: fast numeric RHS and analytic Jacobian (cached);
* :mod:`~vlaser.cumulants.exact`: the same model as an exact QuTiP master equation.
"""

from vlaser.cumulants.algebra import (
    Create,
    Destroy,
    FockSpace,
    Index,
    Monomial,
    NLevelSpace,
    Operator,
    Transition,
    anticommutator,
    commutator,
)
from vlaser.cumulants.compile import CompiledSystem, compile_system, derive_system
from vlaser.cumulants.complete import System, complete
from vlaser.cumulants.derive import derive_equations, derive_operator
from vlaser.cumulants.exact import ExactModel, to_qutip
from vlaser.cumulants.expand import average_symbol, cumulant_expand, joint_cumulant
from vlaser.cumulants.model import Jump, Model, Sum, Template

__all__ = [
    "CompiledSystem",
    "Create",
    "Destroy",
    "ExactModel",
    "FockSpace",
    "Index",
    "Jump",
    "Model",
    "Monomial",
    "NLevelSpace",
    "Operator",
    "Sum",
    "System",
    "Template",
    "Transition",
    "anticommutator",
    "average_symbol",
    "commutator",
    "compile_system",
    "complete",
    "cumulant_expand",
    "derive_equations",
    "derive_operator",
    "derive_system",
    "joint_cumulant",
    "to_qutip",
]
