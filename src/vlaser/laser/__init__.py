"""The N-atom V-level laser (paper Sec. III): model, closed cumulant equations, steady states.

Public API::

    from vlaser.laser import laser_model, laser_equations, steady_state, scan, threshold, to_qutip
"""

from vlaser.laser.equations import LaserSystem, laser_equations
from vlaser.laser.model import laser_model, to_qutip
from vlaser.laser.scan import scan
from vlaser.laser.steady import Dynamics, LaserSteadyState, steady_state
from vlaser.laser.threshold import ThresholdResult, threshold

__all__ = [
    "Dynamics",
    "LaserSteadyState",
    "LaserSystem",
    "ThresholdResult",
    "laser_equations",
    "laser_model",
    "scan",
    "steady_state",
    "threshold",
    "to_qutip",
]
