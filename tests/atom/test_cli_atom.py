"""``vlaser atom``: JSON shapes, files, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from vlaser.atom import emission_spectrum, steady_state, t95
from vlaser.params import AtomParams
from vlaser.species import get_species


def test_steady_json_matches_api(run_cli):
    code, out, _ = run_cli("atom", "steady", "--json", "--nu2", "10g2", "--delta2", "4")
    assert code == 0
    data = json.loads(out)
    p = AtomParams.paper(delta2=4.0, nu2=10 * AtomParams().gamma2)
    ss = steady_state(p)
    # Same computation: equal to round-off.
    assert data["inversion"] == pytest.approx(float(ss.inversion), abs=1e-14)
    assert data["populations"] == pytest.approx(list(ss.populations), abs=1e-14)
    assert data["params"]["nu2"] == pytest.approx(10 / 4266)


def test_species_sets_gamma2(run_cli):
    code, out, _ = run_cli("atom", "steady", "--json", "--species", "yb174")
    assert code == 0
    assert json.loads(out)["params"]["gamma2"] == pytest.approx(get_species("yb174").gamma2)
    code, _, err = run_cli("atom", "steady", "--species", "yb174", "--gamma2", "0.01")
    assert code == 2 and "gamma2" in err


def test_map_writes_netcdf_and_png(tmp_path, run_cli):
    target = tmp_path / "map.nc"
    code, out, _ = run_cli(
        "atom", "map", "--x", "delta2=-10:10:21", "--y", "delta3=-10:10:11",
        "--omega3", "0.4", "--out", str(target), "--json",
    )  # fmt: skip
    assert code == 0
    summary = json.loads(out)
    assert summary["shape"] == [21, 11]
    assert target.exists() and target.with_suffix(".png").exists()
    with xr.open_dataset(target) as ds:
        assert ds["inversion"].dims == ("delta2", "delta3")
        assert ds["delta2"].attrs["units"] == "Gamma3"
        assert ds.attrs["fixed_omega3"] == 0.4
        assert "vlaser_version" in ds.attrs
        ref = steady_state(
            AtomParams.paper(
                omega3=0.4,
                delta2=np.linspace(-10, 10, 21)[:, None],
                delta3=np.linspace(-10, 10, 11)[None, :],
            )
        ).inversion
        np.testing.assert_allclose(ds["inversion"].values, ref, atol=1e-14)
        assert summary["min_inversion"] == pytest.approx(float(ref.min()))


def test_t95_json(run_cli):
    code, out, _ = run_cli("atom", "t95", "--json", "--delta2", "3")
    assert code == 0
    data = json.loads(out)
    ref = t95(AtomParams.paper(delta2=3.0))
    assert data["t95"] == pytest.approx(float(ref.t95), rel=1e-12)
    assert data["steady_inversion"] == pytest.approx(float(ref.steady_inversion))
    code, out, _ = run_cli("atom", "t95", "--json", "--delta2", "-1")
    assert code == 0 and json.loads(out)["t95"] is None  # no inversion: undefined


def test_spectrum_json_and_png(tmp_path, run_cli):
    png = tmp_path / "s.png"
    code, out, _ = run_cli("atom", "spectrum", "--json", "--out", str(png))
    assert code == 0 and png.exists()
    data = json.loads(out)
    heights = [pk["height"] for pk in data["peaks"]]
    assert heights == sorted(heights, reverse=True)
    ref = emission_spectrum(AtomParams.paper())
    assert data["peaks"][0]["position"] == pytest.approx(ref.peaks[0].position)
    assert data["coherent_weight"] == pytest.approx(ref.coherent_weight)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["atom", "steady", "--nu2", "-1"], "nu2"),
        (["atom", "steady", "--gamma3", "0"], "gamma3"),
        (["atom", "steady", "--gamma2", "inf"], "gamma2"),
        (["atom", "steady", "--species", "unobtainium"], "species"),
        (["atom", "t95", "--delta3", "abc"], "delta3"),
        (["atom", "spectrum", "--omega2", "1e400"], "omega2"),
        (["atom", "map", "--x", "delta2=-1:1"], "grid"),
        (["atom", "map", "--x", "kappa=0:1:3"], "grid parameter"),
        (["atom", "map", "--x", "nu2=-1:1:3"], "nu2"),
        (["atom", "map", "--x", "delta2=0:1:3", "--delta2", "2"], "delta2"),
    ],
)
def test_bad_input_exits_2_without_files(tmp_path, run_cli, args, name):
    target = tmp_path / "out.nc"
    extra = ["--out", str(target)] if args[1] == "map" else []
    code, out, err = run_cli(*args, *extra)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: invalid {name}=")
    assert list(tmp_path.iterdir()) == []


def test_map_out_must_be_netcdf(tmp_path, run_cli):
    code, _, err = run_cli("atom", "map", "--x", "delta2=0:1:3", "--out", str(tmp_path / "a.txt"))
    assert code == 2 and err.startswith("error: invalid out=")
    assert list(tmp_path.iterdir()) == []


def test_subprocess_json_is_the_only_stdout():
    r = subprocess.run(
        [sys.executable, "-m", "vlaser", "atom", "steady", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert math.isclose(sum(data["populations"]), 1.0, abs_tol=1e-12)
