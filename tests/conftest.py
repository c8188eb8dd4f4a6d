"""Test-suite settings shared by all test packages."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
# One BLAS thread: on the shared 2-core CI machine OpenBLAS's spinning threads made small
# dense eig/solve calls up to ~100x slower (measured: eig of a 225x225 complex matrix
# 14 s vs 0.1 s). The variables reach subprocesses (CLI tests); in this process numpy is
# already loaded by a pytest plugin (zarr.testing), so the thread count is also set
# through OpenBLAS's own entry point.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def _one_blas_thread() -> None:
    import ctypes
    import glob
    import importlib.util

    for pkg in ("numpy", "scipy"):
        spec = importlib.util.find_spec(pkg)
        if spec is None or not spec.submodule_search_locations:
            continue
        libs = os.path.join(
            os.path.dirname(list(spec.submodule_search_locations)[0]), f"{pkg}.libs"
        )
        for path in glob.glob(os.path.join(libs, "*openblas*")):
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for name in (
                "scipy_openblas_set_num_threads64_",
                "scipy_openblas_set_num_threads",
                "openblas_set_num_threads64_",
                "openblas_set_num_threads",
            ):
                if hasattr(lib, name):
                    getattr(lib, name)(1)
                    break


if os.environ.get("OPENBLAS_NUM_THREADS") == "1":
    _one_blas_thread()

from hypothesis import settings  # noqa: E402

# Deterministic, deadline-free property tests (CI machines are slow and shared).
settings.register_profile("vlaser", deadline=None, derandomize=True, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "vlaser"))


import pytest  # noqa: E402


@pytest.fixture
def run_cli(capsys):
    """Run the ``vlaser`` CLI in-process: ``run_cli(*args) -> (exit code, stdout, stderr)``."""
    from vlaser.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
