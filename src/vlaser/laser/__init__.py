"""The N-atom V-level laser (paper Sec. III): model, closed cumulant equations, steady states."""

from vlaser.laser.model import laser_model

__all__ = ["laser_model"]
