"""vlaser: continuous narrowband lasing with coherently driven V-level atoms."""

__version__ = "0.1.0"
