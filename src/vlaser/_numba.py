"""numba, with the on-disk cache of vlaser's kernels outside the package directory.

numba's ``cache=True`` writes next to the source (``__pycache__`` in the package) by
default; in a read-only install it cannot, and falls back to other locations or
recompiles. vlaser's kernel modules import numba from here instead::

    from vlaser._numba import njit, prange

which first points numba's cache at :func:`vlaser.cache.numba_cache_dir`, unless the
user chose a folder with ``NUMBA_CACHE_DIR`` (kept) or switched vlaser's cache off
(``VLASER_CACHE_DIR=off``: numba's own default applies). The setting is numba's
process-wide ``config.CACHE_DIR``, also exported as ``NUMBA_CACHE_DIR`` so that numba's
re-reading of its environment keeps it; it takes effect for kernels defined after
this import (vlaser's kernels, and others in the same process).
"""

from __future__ import annotations

import os

import numba
from numba import njit, prange

from vlaser.cache import numba_cache_dir


def configure_cache() -> None:
    """Point numba's cache at vlaser's cache folder unless ``NUMBA_CACHE_DIR`` is set."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    folder = numba_cache_dir()
    if folder is None:
        return
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    numba.config.CACHE_DIR = str(folder)


configure_cache()

__all__ = ["configure_cache", "njit", "numba", "prange"]
