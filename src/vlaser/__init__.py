"""vlaser: continuous narrowband lasing with coherently driven V-level atoms.

Entry points (physics in subpackages, imported on demand)::

    from vlaser import AtomParams, LaserParams
    from vlaser.atom import steady_state, evolve, t95, emission_spectrum
    from vlaser.laser import steady_state, threshold, cavity_spectrum, pulling, scan
    from vlaser.motion import simulate, doppler_fwhm
    from vlaser.scan import run_scan, Grid
    from vlaser.reproduce import reproduce

Units: rates and frequencies in units of Γ3 (angular), times in 1/Γ3.
"""

from vlaser.errors import ConvergenceError, ParameterError, VlaserError
from vlaser.params import DEFAULT_GAMMA2, AtomParams, LaserParams, parse_rate
from vlaser.species import SPECIES, Species, get_species

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_GAMMA2",
    "SPECIES",
    "AtomParams",
    "ConvergenceError",
    "LaserParams",
    "ParameterError",
    "Species",
    "VlaserError",
    "__version__",
    "get_species",
    "parse_rate",
]
