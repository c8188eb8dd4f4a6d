"""Start-up stays light: what ``import vlaser``, ``import vlaser.cli`` and the quick
commands load, in a fresh interpreter each (the test process has everything loaded)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Packages no command needs to start; each is imported by the commands that use it.
HEAVY = (
    "sympy",
    "numba",
    "scipy",
    "xarray",
    "pandas",
    "dask",
    "distributed",
    "matplotlib",
    "zarr",
    "netCDF4",
    "qutip",
    # the explorer's web libraries: only `vlaser explore` itself imports them
    "starlette",
    "uvicorn",
    "websockets",
    "plotly",
    "selenium",
)

#: Prints the heavy top-level packages in ``sys.modules`` as the last line of stdout.
REPORT = f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"


def loaded_after(code: str) -> tuple[list[str], str]:
    """Run ``code`` in a fresh interpreter; the heavy packages it left loaded, and its
    stdout before the report line."""
    r = subprocess.run(
        [sys.executable, "-c", f"import json, sys\n{code}\n{REPORT}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    *out, last = r.stdout.strip().splitlines()
    return json.loads(last), "\n".join(out)


def cli_code(*args: str) -> str:
    """Run the CLI like the ``vlaser`` script, without leaving the interpreter."""
    return f"from vlaser.cli import main\ntry:\n    main({list(args)!r})\nexcept SystemExit as e:\n    assert not e.code, e.code"


def test_import_vlaser_and_cli_loads_no_heavy_package():
    loaded, _ = loaded_after("import vlaser, vlaser.cli")
    assert loaded == []


def test_atom_steady_json_loads_no_heavy_package():
    loaded, out = loaded_after(cli_code("atom", "steady", "--json"))
    assert loaded == []
    assert json.loads(out)["inversion"] == pytest.approx(0.678321725977, abs=1e-9)


def test_help_loads_no_heavy_package():
    loaded, out = loaded_after(cli_code("--help"))
    assert loaded == []
    assert "laser" in out and "scan" in out


def test_explore_help_loads_no_heavy_or_web_package():
    loaded, out = loaded_after(cli_code("explore", "--help"))
    assert loaded == []
    assert "--allow-remote" in out


def test_light_submodules_do_not_import_their_siblings():
    code = "import vlaser.scan.chunks, vlaser.motion.doppler, vlaser.atom.steady"
    loaded, _ = loaded_after(f"{code}\nassert 'vlaser.scan.store' not in sys.modules")
    assert loaded == []


@pytest.mark.parametrize("package", ["vlaser.scan", "vlaser.motion"])
def test_every_lazy_export_resolves(package):
    import importlib

    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        module.missing  # noqa: B018


def test_builtin_solvers_registered_on_first_lookup():
    code = (
        "from vlaser.scan.solvers import available_solvers, get_solver\n"
        "print(get_solver('motion.trajectories').name)\n"
        "print(','.join(available_solvers()))"
    )
    _, out = loaded_after(code)
    first, names = out.splitlines()
    assert first == "motion.trajectories"
    assert names.split(",") == [
        "atom.spectrum",
        "atom.steady",
        "laser.spectrum",
        "laser.steady",
        "motion.trajectories",
    ]
