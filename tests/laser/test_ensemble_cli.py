"""CLI of the inhomogeneous laser: --doppler-width, --temperature, --classes."""

import json

import numpy as np
import pytest

from vlaser import DEFAULT_GAMMA2 as G2
from vlaser import LaserParams
from vlaser.laser import steady_state
from vlaser.motion.doppler import doppler_fwhm

NU = ("--nu2", "10g2", "--nu3", "10g2")


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("--doppler-width", "-1"), "invalid doppler-width='-1': a finite width >= 0"),
        (("--doppler-width", "inf"), "invalid doppler-width='inf'"),
        (("--temperature", "1"), "invalid temperature='1': given together with --species"),
        (("--temperature", "nan", "--species", "sr88"), "invalid temperature='nan'"),
        (("--temperature", "-2", "--species", "sr88"), "invalid temperature='-2'"),
        (
            ("--temperature", "1", "--species", "sr88", "--doppler-width", "3g2"),
            "unset when --doppler-width is given",
        ),
        (("--classes", "0"), "invalid classes='0': a whole number from 1 to 25"),
        (("--classes", "26"), "invalid classes='26': a whole number from 1 to 25"),
        (("--classes", "two"), "invalid classes='two'"),
    ],
)
def test_bad_ensemble_input_one_line_exit_2(run_cli, args, text):
    code, out, err = run_cli("laser", "steady", *args, "--json")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and text in err


def test_zero_width_is_the_homogeneous_result_exactly(run_cli):
    code, out, _ = run_cli("laser", "steady", *NU, "--doppler-width", "0", "--json")
    assert code == 0
    d = json.loads(out)
    code, out, _ = run_cli("laser", "steady", *NU, "--json")
    ref = json.loads(out)
    assert d["classes"] == 1
    assert d["photons"] == ref["photons"] and d["inversion"] == ref["inversion"]
    assert set(ref) <= set(d)


def test_width_and_classes_match_the_api(run_cli):
    code, out, _ = run_cli(
        "laser", "steady", *NU, "--doppler-width", "60g2", "--classes", "3", "--json"
    )
    assert code == 0
    d = json.loads(out)
    p = LaserParams.paper(atoms=50000, nu2=10 * G2, nu3=10 * G2, doppler_width=60 * G2, classes=3)
    ss = steady_state(p)
    assert d["classes"] == 3
    np.testing.assert_allclose(d["photons"], float(ss.photons), rtol=1e-12)


def test_temperature_sets_both_widths_by_eq16(run_cli):
    code, out, _ = run_cli(
        "laser", "steady", *NU, "--temperature", "0.4", "--species", "sr88",
        "--classes", "3", "--json",
    )  # fmt: skip
    assert code == 0
    d = json.loads(out)
    np.testing.assert_allclose(d["params"]["doppler_width"], doppler_fwhm(0.4, "sr88", level=2))
    np.testing.assert_allclose(d["params"]["pump3_width"], doppler_fwhm(0.4, "sr88", level=3))
    assert d["converged"]


def test_scan_accepts_the_ensemble_and_matches_the_api(run_cli, tmp_path):
    """``laser scan`` with --doppler-width/--classes: the stored photon numbers are the
    API's steady states of the same K-class ensemble (continued along N in both), the
    JSON keeps every key of the plain scan and adds "classes"."""
    import xarray as xr

    axis = ("--x", "atoms=40000:50000:3")
    code, out, _ = run_cli("laser", "scan", *axis, *NU, "--out", str(tmp_path / "h.nc"), "--json")
    assert code == 0
    plain = json.loads(out)
    code, out, _ = run_cli(
        "laser", "scan", *axis, *NU, "--doppler-width", "120g2", "--classes", "3",
        "--out", str(tmp_path / "w.nc"), "--json",
    )  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert set(plain) <= set(d) and d["classes"] == 3 and plain["classes"] == 1
    assert d["converged"] == 3
    p = LaserParams.paper(
        atoms=np.array([40000.0, 45000.0, 50000.0]), nu2=10 * G2, nu3=10 * G2,
        doppler_width=120 * G2, classes=3,
    )  # fmt: skip
    ref = steady_state(p, dynamics=False)
    with xr.open_dataset(tmp_path / "w.nc") as ds:
        np.testing.assert_allclose(ds.photons.values, ref.photons, rtol=1e-9)
    with xr.open_dataset(tmp_path / "h.nc") as ds:  # the width matters (2.4e-3 at K = 3)
        assert np.all(np.abs(ds.photons.values / ref.photons - 1) > 1e-3)


def test_scan_ensemble_bad_input_one_line_exit_2(run_cli, tmp_path):
    code, out, err = run_cli(
        "laser", "scan", "--x", "atoms=1000:2000:2", "--temperature", "1",
        "--out", str(tmp_path / "x.nc"),
    )  # fmt: skip
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "given together with --species" in err
