"""The N-atom V-level laser (paper Sec. III): model, closed cumulant equations, steady states.

Public API::

    from vlaser.laser import laser_model, laser_equations, steady_state, scan, threshold, to_qutip
    from vlaser.laser import cavity_spectrum, pulling, evolve

The names are imported on first use (:mod:`vlaser._lazy`): ``laser_equations`` from
its cache loads neither sympy nor numba.
"""

from vlaser._lazy import lazy_exports, shadow_submodules

__all__ = [
    "CavitySpectrum",
    "Dynamics",
    "LaserSteadyState",
    "LaserSystem",
    "Pulling",
    "ThresholdResult",
    "cavity_spectrum",
    "evolve",
    "laser_equations",
    "laser_model",
    "pulling",
    "scan",
    "steady_state",
    "threshold",
    "to_qutip",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "LaserSystem": "equations",
        "laser_equations": "equations",
        "laser_model": "model",
        "to_qutip": "model",
        "CavitySpectrum": "spectrum",
        "Pulling": "spectrum",
        "cavity_spectrum": "spectrum",
        "pulling": "spectrum",
        "Dynamics": "steady",
        "LaserSteadyState": "steady",
        "steady_state": "steady",
        "ThresholdResult": "threshold",
        "evolve": "dynamics",
    },
)

# ``vlaser.laser.scan`` and ``vlaser.laser.threshold`` are the functions (as they were).
shadow_submodules(__name__, {"scan": "scan", "threshold": "threshold"})
