"""vlaser's cache folder, and numba's cache of vlaser's kernels outside the package."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from vlaser.cache import cache_root, kernel_fingerprint, numba_cache_dir


def test_cache_root_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("VLASER_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "c"
    assert numba_cache_dir() == tmp_path / "c" / "numba" / kernel_fingerprint()
    monkeypatch.delenv("VLASER_CACHE_DIR")
    assert cache_root() == tmp_path / "xdg" / "vlaser"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "vlaser"


def test_numba_cache_folder_changes_with_any_kernel_source(monkeypatch, tmp_path):
    """numba keys a cached kernel on its own file; a kernel inlining another module's
    kernel would go stale when only that module changes. The folder is keyed on all
    kernel sources, so an edit to any of them selects a fresh folder."""
    import vlaser.cache as vc

    pkg = tmp_path / "pkg"
    for rel in vc.KERNEL_SOURCES:
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(f"# {rel}\n")
    monkeypatch.setattr(vc, "__file__", str(pkg / "cache.py"))
    first = vc.kernel_fingerprint()
    (pkg / vc.KERNEL_SOURCES[0]).write_text("# changed\n")
    assert vc.kernel_fingerprint() != first


@pytest.mark.parametrize("off", ["off", "OFF", "none", "0", ""])
def test_cache_off(monkeypatch, off):
    monkeypatch.setenv("VLASER_CACHE_DIR", off)
    assert cache_root() is None
    assert numba_cache_dir() is None


def test_cumulant_cache_is_a_subfolder(monkeypatch, tmp_path):
    from vlaser.cumulants.compile import cache_dir

    monkeypatch.setenv("VLASER_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path / "cumulants"


#: Calls the smallest cached kernel once; prints numba's cache hits and misses.
KERNEL_RUN = """
import json, numpy as np
from vlaser.cumulants import _kernels as k
v = np.empty(5, dtype=np.complex128)
k.build_v(np.zeros(3), np.array([0, 1]), np.array([-1, 2]), v)
s = k.build_v.stats
print(json.dumps([sum(s.cache_hits.values()), sum(s.cache_misses.values()), k.__file__]))
"""


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def _run_kernel(env: dict[str, str]) -> tuple[int, int, str]:
    r = subprocess.run(
        [sys.executable, "-c", KERNEL_RUN], env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    hits, misses, where = json.loads(r.stdout.strip().splitlines()[-1])
    return hits, misses, where


@pytest.fixture
def read_only_install(tmp_path):
    """A copy of the package without bytecode or numba cache, made read-only, and an
    environment that imports it with vlaser's cache in ``tmp_path / "cache"``."""
    import vlaser

    site = tmp_path / "site"
    pkg = site / "vlaser"
    shutil.copytree(Path(vlaser.__file__).parent, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    before = _files(site)
    dirs = [site, *(p for p in site.rglob("*") if p.is_dir())]
    for d in dirs:
        d.chmod(stat.S_IRUSR | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = str(site)
    env["VLASER_CACHE_DIR"] = str(tmp_path / "cache")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        yield site, before, env
    finally:
        for d in dirs:
            d.chmod(stat.S_IRWXU)


def test_numba_cache_goes_to_vlaser_cache_not_the_package(read_only_install, tmp_path):
    site, before, env = read_only_install
    hits, misses, where = _run_kernel(env)
    assert where.startswith(str(site))
    assert (hits, misses) == (0, 1)  # compiled once ...
    written = _files(tmp_path / "cache" / "numba")
    assert any(p.suffix == ".nbi" for p in written)
    assert all("_kernels.build_v" in p.name for p in written)
    assert _run_kernel(env)[:2] == (1, 0)  # ... and loaded from the cache by the next run
    assert _files(site) == before  # nothing written into the installed package


def test_user_numba_cache_dir_is_kept(read_only_install, tmp_path):
    site, before, env = read_only_install
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "user")
    assert _run_kernel(env)[:2] == (0, 1)
    assert any(p.suffix == ".nbi" for p in _files(tmp_path / "user"))
    assert not (tmp_path / "cache" / "numba").exists()
    assert _files(site) == before
