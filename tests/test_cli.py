"""Top-level CLI behaviour: errors are one line, exit status 2, no traceback."""

import subprocess
import sys


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "vlaser", *args], capture_output=True, text=True, timeout=300
    )


def test_version():
    r = run("--version")
    assert r.returncode == 0
    import vlaser

    assert r.stdout.strip() == vlaser.__version__


def test_reproduce_unknown_figure_exits_2_without_traceback(tmp_path):
    r = run("reproduce", "--out", str(tmp_path / "o"), "--only", "fig99")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: invalid figure='fig99'")
    assert not (tmp_path / "o" / "report.md").exists()
