"""Exact single V-atom solver: Liouvillian, steady state, dynamics, t95, spectrum.

Public API::

    from vlaser.atom import steady_state, evolve, t95, emission_spectrum, liouvillian
"""

from vlaser.atom.dynamics import AtomEvolution, T95Result, evolve, t95
from vlaser.atom.liouvillian import hamiltonian, liouvillian, liouvillian_real, sigma
from vlaser.atom.spectrum import EmissionSpectrum, emission_spectrum
from vlaser.atom.steady import AtomSteadyState, steady_state

__all__ = [
    "AtomEvolution",
    "AtomSteadyState",
    "EmissionSpectrum",
    "emission_spectrum",
    "T95Result",
    "evolve",
    "hamiltonian",
    "liouvillian",
    "liouvillian_real",
    "sigma",
    "steady_state",
    "t95",
]
