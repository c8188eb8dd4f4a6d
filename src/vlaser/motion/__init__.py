"""Atomic motion in the two pump standing waves: semiclassical quantum-jump
trajectories (paper Sec. IV, eqs. 12-15) and Doppler cooling / broadening (eq. 16).

Public API::

    from vlaser.motion import simulate, MotionResult, doppler_fwhm
"""

from vlaser.motion.doppler import doppler_fwhm
from vlaser.motion.trajectories import (
    MotionResult,
    MotionSetup,
    heff_norm,
    make_setup,
    max_dt,
    running_mean,
    simulate,
)

__all__ = [
    "doppler_fwhm",
    "MotionResult",
    "MotionSetup",
    "heff_norm",
    "make_setup",
    "max_dt",
    "running_mean",
    "simulate",
]
