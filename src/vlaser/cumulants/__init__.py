"""A symbolic cumulant engine for open quantum systems (QuantumCumulants.jl in Python).

Pipeline, one module per stage:

* :mod:`~vlaser.cumulants.algebra`: Hilbert spaces, operators, normal ordering;
* :mod:`~vlaser.cumulants.model`: Hamiltonian and jumps as templates over identical atoms;
* :mod:`~vlaser.cumulants.derive`: Heisenberg–Lindblad equations, symmetric atom sums;
* :mod:`~vlaser.cumulants.expand`: averages and the cumulant expansion to any order;
* :mod:`~vlaser.cumulants.complete`: closing the system (optionally filtered);
* :mod:`~vlaser.cumulants.compile`: fast numeric RHS and analytic Jacobian (cached);
* :mod:`~vlaser.cumulants.exact`: the same model as an exact QuTiP master equation.

The names below are imported on first use (:mod:`vlaser._lazy`), so the numeric face
of a cached system (:mod:`~vlaser.cumulants.compile`) loads without sympy.
"""

from vlaser._lazy import lazy_exports, shadow_submodules

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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        **dict.fromkeys(
            (
                "Create",
                "Destroy",
                "FockSpace",
                "Index",
                "Monomial",
                "NLevelSpace",
                "Operator",
                "Transition",
                "anticommutator",
                "commutator",
            ),
            "algebra",
        ),
        **dict.fromkeys(("CompiledSystem", "compile_system", "derive_system"), "compile"),
        "System": "complete",
        "complete": "complete",
        "derive_equations": "derive",
        "derive_operator": "derive",
        "ExactModel": "exact",
        "to_qutip": "exact",
        **dict.fromkeys(("average_symbol", "cumulant_expand", "joint_cumulant"), "expand"),
        **dict.fromkeys(("Jump", "Model", "Sum", "Template"), "model"),
    },
)

# ``vlaser.cumulants.complete`` is the function, not its module (as it always was).
shadow_submodules(__name__, {"complete": "complete"})
