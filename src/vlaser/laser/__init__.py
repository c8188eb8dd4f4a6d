"""The N-atom V-level laser (paper Sec. III): model, closed cumulant equations, steady states.

Public API::

    from vlaser.laser import laser_model, laser_equations, steady_state, scan, threshold, to_qutip
    from vlaser.laser import cavity_spectrum, pulling, evolve
    from vlaser.laser import sensitivity, design, pareto, si_readout

The names are imported on first use (:mod:`vlaser._lazy`): ``laser_equations`` from
its cache loads neither sympy nor numba.
"""

from vlaser._lazy import lazy_exports, shadow_submodules

__all__ = [
    "CavitySpectrum",
    "Constraints",
    "DesignResult",
    "ParetoFront",
    "Sensitivity",
    "Dynamics",
    "LaserSteadyState",
    "LaserSystem",
    "Pulling",
    "ThresholdResult",
    "cavity_spectrum",
    "design",
    "evolve",
    "laser_equations",
    "laser_model",
    "pareto",
    "pulling",
    "scan",
    "sensitivity",
    "si_readout",
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
        "Sensitivity": "sensitivity",
        "Constraints": "design",
        "DesignResult": "design",
        "ParetoFront": "design",
        "design": "design",
        "pareto": "design",
        "si_readout": "units",
    },
)

# ``vlaser.laser.scan``, ``.threshold``, ``.sensitivity`` and ``.design`` are the functions.
shadow_submodules(
    __name__,
    {"scan": "scan", "threshold": "threshold", "sensitivity": "sensitivity", "design": "design"},
)
