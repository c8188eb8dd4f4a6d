"""The explorer's computations, readout, SI formulas and exports, against the API."""

from __future__ import annotations

import json
import math
import os
import shlex
import tempfile
import threading

import numpy as np
import pytest

from vlaser import DEFAULT_GAMMA2 as G2
from vlaser.errors import ConvergenceError, ParameterError
from vlaser.explore import views as V
from vlaser.explore.session import Session
from vlaser.params import LaserParams
from vlaser.species import get_species

#: A cheap curve (the views do not depend on its length otherwise).
CHEAP = {"curve_points": "12", "curve_max_atoms": "30000", "map_points": "21"}


def rows(view: V.View) -> dict[str, object]:
    return {r.id: r.value for r in view.rows}


def test_defaults_are_the_paper_fig7a_point():
    p = V.parse_point({})
    lp = p.laser_params()
    ref = LaserParams.paper(nu2=10 * G2, nu3=10 * G2)
    assert lp.to_dict() == ref.to_dict()
    assert (p.map_points, p.curve_points, p.curve_max_atoms) == (101, 100, 50000)


@pytest.mark.parametrize(
    ("values", "build"),
    [
        ({"kappa": "-1"}, lambda: LaserParams.paper(kappa=-1 * G2)),
        ({"atoms": "1.5"}, lambda: LaserParams.paper(atoms=1.5)),
        ({"nu": "-2"}, lambda: LaserParams.paper(nu2=-2 * G2)),
    ],
)
def test_invalid_values_give_the_api_message(values, build):
    with pytest.raises(ParameterError) as api:
        build()
    with pytest.raises(ParameterError) as page:
        V.parse_point(values)
    assert str(page.value) == str(api.value)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"nu": "abc"}, "invalid nu='abc': a number"),
        ({"delta2": "nan"}, "invalid delta2='nan': a finite number"),
        ({"species": "xx"}, "invalid species='xx': one of ca40, sr88, yb174"),
        ({"map_points": "5"}, "invalid map_points=5.0: a whole number from 11 to 401"),
        ({"bogus": "1"}, "invalid control='bogus'"),
    ],
)
def test_invalid_page_text(values, message):
    with pytest.raises(ParameterError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        V.parse_point(values)


def test_laser_views_equal_the_api():
    from vlaser.laser import cavity_spectrum, steady_state
    from vlaser.laser.threshold import threshold

    p = V.parse_point({**CHEAP, "delta3": "-1.5", "cavity_offset": "3", "atoms": "40000"})
    lp = LaserParams.paper(delta3=-1.5, atoms=40000, nu2=10 * G2, nu3=10 * G2, delta_c=5 + 3 * G2)
    assert p.laser_params().to_dict() == lp.to_dict()
    point = rows(V.laser_point(p))
    ss = steady_state(lp)
    cs = cavity_spectrum(lp)
    assert point["photons"] == float(ss.photons)
    assert point["laser-inversion"] == float(ss.inversion)
    assert point["stable"] is True and point["converged"] is True
    assert point["fwhm"] == cs.fwhm / G2
    assert point["peak"] == cs.peak / G2
    assert point["cavity-position"] == -3.0
    curve = rows(V.laser_curve(p))
    th = threshold(lp, max_atoms=30000, points=12)
    assert curve["threshold"] == th.threshold_atoms
    assert curve["kink"] == th.kink_atoms


def test_atom_views_equal_the_api():
    from vlaser.atom import emission_spectrum, steady_state
    from vlaser.params import AtomParams

    p = V.parse_point({**CHEAP, "omega2": "0.7", "nu": "0"})
    ap = AtomParams.paper(omega2=0.7)
    m = V.atom_map(p)
    assert rows(m)["atom-inversion"] == float(steady_state(ap).inversion)
    axis = np.linspace(-10, 10, 21)
    grid = steady_state(ap.replace(delta2=axis[None, :], delta3=axis[:, None])).inversion
    np.testing.assert_array_equal(m.arrays["inversion"], grid)
    sp = emission_spectrum(ap)
    r = rows(V.atom_spectrum(p))
    assert r["emission-line1-position"] == sp.peaks[0].position
    assert r["emission-line1-fwhm"] == sp.peaks[0].fwhm / G2


def test_si_readout_by_hand():
    """P = ħ ω2 · 2κ · n and FWHM/2π, from the 88Sr lifetimes, not through Species."""
    p = V.parse_point({**CHEAP, "species": "sr88"})
    r = rows(V.laser_point(p))
    n = r["photons"]
    tau2, tau3 = 21.28e-6, 5.263e-9  # 88Sr 3P1 and 1P1 lifetimes (species.py sources)
    gamma2_si = 1.0 / tau2  # rad/s
    kappa_si = 50.0 * gamma2_si  # κ = 50 Γ2: the cavity FIELD decay rate
    omega2 = 2.0 * math.pi * 299792458.0 / 689.449e-9
    hbar = 1.054571817e-34
    assert r["si-photon-rate"] == pytest.approx(2.0 * kappa_si * n, rel=1e-12)
    assert r["si-power"] == pytest.approx(hbar * omega2 * 2.0 * kappa_si * n, rel=1e-12)
    # FWHM is shown in units of Γ2: Hz = FWHM/Γ2 · Γ2/2π.
    assert r["si-linewidth"] == pytest.approx(r["fwhm"] * gamma2_si / (2 * math.pi), rel=1e-12)
    assert r["si-line-position"] == pytest.approx(r["peak"] * gamma2_si / (2 * math.pi), rel=1e-12)
    assert r["si-gamma3"] == pytest.approx(1.0 / tau3 / (2 * math.pi), rel=1e-12)
    # Magnitude: n ≈ 1000 photons leaving at 2κ ≈ 4.7e6/s: Φ ≈ 4.7e9/s, P ≈ 1.3 nW.
    assert 4e9 < r["si-photon-rate"] < 6e9 and 1e-9 < r["si-power"] < 2e-9
    assert not any(k.startswith("si-") for k in rows(V.laser_point(V.parse_point(CHEAP))))


def test_unstable_point_shows_the_api_refusal_and_a_flagged_formal_spectrum():
    from vlaser.laser import cavity_spectrum

    p = V.parse_point({**CHEAP, "nu": "0", "atoms": "50000"})
    lp = LaserParams.paper(atoms=50000)
    with pytest.raises(ConvergenceError) as api:
        cavity_spectrum(lp)
    view = V.laser_point(p)
    assert view.message == str(api.value)
    assert view.data["formal"] is True
    assert rows(view)["stable"] is False
    formal = cavity_spectrum(lp, allow_unstable=True)
    assert rows(view)["fwhm"] == formal.fwhm / G2


@pytest.mark.parametrize("species", ["", "sr88"])
def test_exported_commands_reproduce_the_readout(run_cli, species):
    p = V.parse_point(
        {**CHEAP, "delta3": "-1.5", "omega2": "0.55", "cavity_offset": "3", "species": species}
    )
    cmds = V.cli_commands(p)
    point = rows(V.laser_point(p))
    code, out, err = run_cli(*shlex.split(cmds["laser spectrum"])[1:])
    assert code == 0, err
    got = json.loads(out)
    assert got["photons"] == point["photons"]
    assert got["fwhm_gamma2"] == point["fwhm"]
    assert got["peak_gamma2"] == point["peak"]
    code, out, err = run_cli(*shlex.split(cmds["laser threshold"])[1:])
    assert code == 0, err
    assert json.loads(out)["threshold_atoms"] == rows(V.laser_curve(p))["threshold"]
    code, out, err = run_cli(*shlex.split(cmds["atom spectrum"])[1:])
    assert code == 0, err
    peaks = json.loads(out)["peaks"]
    assert peaks[0]["position"] == rows(V.atom_spectrum(p))["emission-line1-position"]
    assert V.cli_script(p).count("\nvlaser ") == 5


def test_export_json_and_netcdf():
    import xarray as xr

    p = V.parse_point({**CHEAP, "species": "yb174"})
    obj = V.export_json(p)
    json.dumps(obj, allow_nan=False)
    assert obj["params"]["gamma2"] == get_species("yb174").gamma2
    assert obj["results"]["photons"] == rows(V.laser_point(p))["photons"]
    assert (
        obj["command"].startswith("vlaser laser spectrum ") and "--species yb174" in obj["command"]
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "p.nc")
        with open(path, "wb") as fh:
            fh.write(V.export_netcdf(p))
        with xr.open_dataset(path) as ds:
            curve = V.laser_curve(p).arrays
            np.testing.assert_array_equal(ds.curve_photons.values, curve["photons"])
            assert ds.atom_inversion.shape == (21, 21)
            assert ds.attrs["result_photons"] == obj["results"]["photons"]
            assert json.loads(ds.attrs["controls"])["species"] == "yb174"


# ---------------------------------------------------------------------------
# The session: newest request wins, progress, errors
# ---------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.done = threading.Event()
        self.hook = None

    def __call__(self, msg: dict) -> None:
        self.messages.append(msg)
        if self.hook is not None:
            self.hook(msg)
        if msg["type"] in ("done", "error"):
            self.done.set()

    def of(self, seq: int) -> list[dict]:
        return [m for m in self.messages if m["seq"] == seq]


def test_session_newer_request_supersedes_the_running_one():
    rec = Recorder()
    session = Session(rec)
    try:
        slow = {**CHEAP, "curve_points": "400", "g": "2.37"}

        def supersede(msg: dict) -> None:
            # Inside the first request's laser curve: submit a newer one.
            if msg["seq"] == 1 and msg["type"] == "progress" and msg["stage"] == "laser_curve":
                if msg["done"] > 0:
                    rec.hook = None
                    session.submit(2, {**CHEAP, "g": "2.5"})

        rec.hook = supersede
        session.submit(1, slow)
        assert rec.done.wait(120)
        first, second = rec.of(1), rec.of(2)
        assert not [m for m in first if m["type"] == "done"]
        assert "laser_curve" not in {m.get("view") for m in first}
        assert [m["type"] for m in second][-1] == "done"
        curve = next(m for m in second if m.get("view") == "laser_curve")
        assert len(curve["data"]["atoms"]) == 12
    finally:
        session.close()


def test_session_reports_errors_progress_and_unchanged_views():
    rec = Recorder()
    session = Session(rec)
    try:
        session.submit(1, {**CHEAP, "kappa": "0"})
        assert rec.done.wait(60)
        (err,) = rec.of(1)
        assert err["type"] == "error" and err["control"] == "kappa"
        assert err["message"] == "invalid kappa=0.0: a finite number > 0"
        rec.done.clear()
        session.submit(2, CHEAP)
        assert rec.done.wait(120)
        views = {m["view"]: m for m in rec.of(2) if m["type"] == "view"}
        assert list(views) == list(V.STAGES)
        assert any(m["type"] == "progress" and m["stage"] == "laser_curve" for m in rec.of(2))
        drawn = {name: m["key"] for name, m in views.items() if m["key"]}
        rec.done.clear()
        session.submit(3, {**CHEAP, "atoms": "45000"}, drawn)
        assert rec.done.wait(120)
        again = {m["view"]: m for m in rec.of(3) if m["type"] == "view"}
        # N moves only the curve's marker and the point: the atom views are unchanged.
        assert again["atom_map"].get("unchanged") and again["atom_spectrum"].get("unchanged")
        assert not again["laser_curve"].get("unchanged")
        assert not again["laser_point"].get("unchanged")
    finally:
        session.close()
