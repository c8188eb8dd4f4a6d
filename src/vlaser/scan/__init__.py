"""Parameter grids, executors and checkpointed result stores."""

from vlaser.scan.grid import Axis, Grid, parse_axis

__all__ = ["Axis", "Grid", "parse_axis"]
