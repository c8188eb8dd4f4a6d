"""The reproduce workflow's mechanics, with a tiny stand-in figure module.

The real figures are exercised in their own tests; here we check file output,
atomicity, resume and the report, independent of the physics.
"""

import json
import types

import numpy as np
import pytest
import xarray as xr

from vlaser import figures
from vlaser import reproduce as rep
from vlaser.errors import ParameterError
from vlaser.report import Claim


def _fake_module(calls):
    def compute(quick=True):
        calls.append(quick)
        return xr.Dataset({"y": ("x", np.arange(4.0) * (1 if quick else 2))})

    def plot(ds):
        from matplotlib.figure import Figure

        fig = Figure()
        fig.add_subplot().plot(ds["y"].values)
        return fig

    def claims(ds):
        return [Claim("T", "sum", "6", f"{float(ds['y'].sum()):g}", float(ds["y"].sum()) == 6)]

    return types.SimpleNamespace(TITLE="Fig. T", compute=compute, plot=plot, claims=claims)


@pytest.fixture
def fake(monkeypatch):
    calls = []
    monkeypatch.setattr(figures, "available", lambda: {"fig2": _fake_module(calls)})
    return calls


def test_reproduce_writes_files_and_report(tmp_path, fake):
    res = rep.reproduce(tmp_path, quick=True)
    assert fake == [True]
    assert (tmp_path / "fig2.png").stat().st_size > 0
    assert (tmp_path / "fig2.nc").exists()
    report = (tmp_path / "report.md").read_text()
    assert "| T | sum | 6 | 6 | holds |" in report
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["claims_hold"] == 1
    assert res.summary()["figures"]["fig2"]["reused"] is False


def test_resume_reuses_only_matching_dataset(tmp_path, fake):
    rep.reproduce(tmp_path, quick=True)
    rep.reproduce(tmp_path, quick=True, resume=True)
    assert fake == [True]  # second run reused the dataset
    rep.reproduce(tmp_path, quick=False, resume=True)
    assert fake == [True, False]  # different setting: recomputed
    with xr.open_dataset(tmp_path / "fig2.nc") as ds:
        assert ds.attrs["reproduce_quick"] == "False"


def test_unknown_figure_is_refused(tmp_path, fake):
    with pytest.raises(ParameterError, match="figure"):
        rep.reproduce(tmp_path, only=["fig99"])
    assert not (tmp_path / "report.md").exists()


@pytest.mark.slow
def test_parallel_figures_equal_serial(tmp_path):
    """Figures computed on 2 worker processes equal the in-process result exactly."""
    serial = rep.reproduce(tmp_path / "s", only=["fig4"], workers=1)
    parallel = rep.reproduce(tmp_path / "p", only=["fig4"], workers=2)
    assert [f.key for f in parallel.figures] == ["fig4"]
    with (
        xr.open_dataset(tmp_path / "s" / "fig4.nc") as a,
        xr.open_dataset(tmp_path / "p" / "fig4.nc") as b,
    ):
        xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())
    assert [c.computed for c in serial.claims] == [c.computed for c in parallel.claims]


def _checkpointing_module(calls):
    """A figure whose compute checkpoints in ``workdir`` and fails on its first call."""

    def compute(quick=True, workdir=None):
        from pathlib import Path

        marker = Path(workdir) / "chunk0.done"
        calls.append(marker.exists())
        if not marker.exists():
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text("finished work")
            raise RuntimeError("killed mid-figure")
        return xr.Dataset({"y": ("x", np.arange(4.0))})

    mod = _fake_module([])
    mod.compute = compute
    return mod


def test_interrupted_figure_continues_from_its_checkpoints(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(figures, "available", lambda: {"fig8": _checkpointing_module(calls)})
    with pytest.raises(RuntimeError, match="killed"):
        rep.reproduce(tmp_path)
    assert (tmp_path / rep.WORK_DIR / "fig8" / "chunk0.done").exists()
    rep.reproduce(tmp_path, resume=True)
    assert calls == [False, True]  # the second run found the first run's finished work
    assert (tmp_path / "fig8.nc").exists() and not (tmp_path / rep.WORK_DIR).exists()
    # Without --resume old checkpoints are discarded, not reused.
    (tmp_path / rep.WORK_DIR / "fig8").mkdir(parents=True)
    (tmp_path / rep.WORK_DIR / "fig8" / "chunk0.done").write_text("stale")
    with pytest.raises(RuntimeError, match="killed"):
        rep.reproduce(tmp_path)
    assert calls[-1] is False


def test_chunk_progress_of_long_runs_reaches_the_caller(tmp_path, monkeypatch):
    def compute(quick=True, progress=None):
        for done in (1, 2):
            progress("run_a", done, 2)
        return xr.Dataset({"y": ("x", np.arange(4.0))})

    mod = _fake_module([])
    mod.compute = compute
    monkeypatch.setattr(figures, "available", lambda: {"fig8": mod})
    seen = []
    rep.reproduce(tmp_path, on_chunk=lambda *a: seen.append(a))
    assert seen == [("fig8", "run_a", 1, 2), ("fig8", "run_a", 2, 2)]
