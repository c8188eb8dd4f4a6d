"""Atomic motion in the two pump standing waves: semiclassical quantum-jump
trajectories (paper Sec. IV, eqs. 12-15) and Doppler cooling / broadening (eq. 16).

Public API::

    from vlaser.motion import simulate, MotionResult, doppler_fwhm

The names are imported on first use (:mod:`vlaser._lazy`): :func:`doppler_fwhm`
needs no numba, the trajectory kernels do.
"""

from vlaser._lazy import lazy_exports

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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "doppler_fwhm": "doppler",
        "MotionResult": "trajectories",
        "MotionSetup": "trajectories",
        "heff_norm": "trajectories",
        "make_setup": "trajectories",
        "max_dt": "trajectories",
        "running_mean": "trajectories",
        "simulate": "trajectories",
    },
)
