"""Where vlaser keeps its on-disk caches.

One folder, ``VLASER_CACHE_DIR`` if set (``off``, ``none``, ``0`` or empty: no vlaser
cache), else ``$XDG_CACHE_HOME/vlaser``, else ``~/.cache/vlaser``, with

* ``cumulants/``: derived and compiled cumulant systems
  (:mod:`vlaser.cumulants.compile`);
* ``numba/``: numba's cache of vlaser's compiled kernels (``cache=True``), kept out
  of the package directory so that a read-only install compiles them once, not on
  every run (:mod:`vlaser._numba`).

Nothing here imports anything heavy; the folders are created by their writers.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Values of ``VLASER_CACHE_DIR`` that switch vlaser's on-disk caches off.
OFF = ("off", "none", "0", "")


def cache_root() -> Path | None:
    """vlaser's cache folder, or ``None`` if ``VLASER_CACHE_DIR`` switches it off."""
    env = os.environ.get("VLASER_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in OFF else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "vlaser"


def numba_cache_dir() -> Path | None:
    """Folder for numba's cache of vlaser's kernels (``None``: vlaser's cache is off)."""
    root = cache_root()
    return None if root is None else root / "numba"


__all__ = ["OFF", "cache_root", "numba_cache_dir"]
