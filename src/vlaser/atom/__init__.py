"""Exact single V-atom solver: Liouvillian, steady state, dynamics, t95, spectrum.

Public API::

    from vlaser.atom import steady_state, evolve, t95, emission_spectrum, liouvillian
"""

from vlaser.atom.liouvillian import hamiltonian, liouvillian, sigma
from vlaser.atom.steady import AtomSteadyState, steady_state

__all__ = [
    "AtomSteadyState",
    "hamiltonian",
    "liouvillian",
    "sigma",
    "steady_state",
]
