"""The N-atom V-level laser (paper Sec. III): model, closed cumulant equations, steady states.

Public API::

    from vlaser.laser import laser_model, laser_equations, steady_state, scan, threshold, to_qutip
    from vlaser.laser import cavity_spectrum, pulling
"""

from vlaser.laser.equations import LaserSystem, laser_equations
from vlaser.laser.model import laser_model, to_qutip
from vlaser.laser.scan import scan
from vlaser.laser.spectrum import CavitySpectrum, Pulling, cavity_spectrum, pulling
from vlaser.laser.steady import Dynamics, LaserSteadyState, steady_state
from vlaser.laser.threshold import ThresholdResult, threshold

__all__ = [
    "CavitySpectrum",
    "Dynamics",
    "LaserSteadyState",
    "LaserSystem",
    "Pulling",
    "ThresholdResult",
    "cavity_spectrum",
    "laser_equations",
    "laser_model",
    "pulling",
    "scan",
    "steady_state",
    "threshold",
    "to_qutip",
]
