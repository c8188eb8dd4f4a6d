"""Where vlaser keeps its on-disk caches.

One folder, ``VLASER_CACHE_DIR`` if set (``off``, ``none``, ``0`` or empty: no vlaser
cache), else ``$XDG_CACHE_HOME/vlaser``, else ``~/.cache/vlaser``, with

* ``cumulants/``: derived and compiled cumulant systems
  (:mod:`vlaser.cumulants.compile`);
* ``numba/<fingerprint>/``: numba's cache of vlaser's compiled kernels
  (``cache=True``), kept out of the package directory so that a read-only install
  compiles them once, not on every run (:mod:`vlaser._numba`); one folder per hash of
  the kernel sources and numba's version (:func:`kernel_fingerprint`).

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


#: The modules that hold vlaser's numba kernels (relative to the package).
KERNEL_SOURCES = ("cumulants/_kernels.py", "cumulants/_integrate.py", "motion/kernel.py")


def kernel_fingerprint() -> str:
    """A hash of every kernel module's source and numba's version.

    numba keys a cached function on its own file only; a kernel that calls a kernel of
    another module (``_integrate.erk`` calls ``_kernels.build_v``) would keep a stale
    inlined copy after that module changes. One folder per fingerprint avoids that.
    """
    import hashlib
    from importlib.metadata import version

    h = hashlib.sha256()
    pkg = Path(__file__).parent
    for rel in KERNEL_SOURCES:
        h.update(rel.encode())
        h.update((pkg / rel).read_bytes())
    h.update(version("numba").encode())
    return h.hexdigest()[:16]


def numba_cache_dir() -> Path | None:
    """Folder for numba's cache of vlaser's kernels (``None``: vlaser's cache is off):
    ``numba/<fingerprint>`` (:func:`kernel_fingerprint`)."""
    root = cache_root()
    return None if root is None else root / "numba" / kernel_fingerprint()


__all__ = ["KERNEL_SOURCES", "OFF", "cache_root", "kernel_fingerprint", "numba_cache_dir"]
