"""Fig. 8 module: interface, plot and claims on a reduced configuration."""

from __future__ import annotations

import numpy as np
import pytest

from vlaser.figures import available, fig8
from vlaser.report import Claim


@pytest.fixture(scope="module")
def tiny(request):
    mp = pytest.MonkeyPatch()
    cfg = {"trajectories": 6, "t_max": 2000.0, "samples": 21, "sign": (6, 1000.0), "scan": None}
    mp.setitem(fig8._CONFIG, True, cfg)
    request.addfinalizer(mp.undo)
    return fig8.compute(quick=True)


def test_registered():
    assert available()["fig8"] is fig8
    assert fig8.TITLE.startswith("Fig. 8")


def test_dataset(tiny):
    assert tiny.kinetic_energy.shape == (4, 21, 2)
    assert list(tiny.set.values) == ["lasing_nu1", "lasing_nu10", "better_nu1", "better_nu10"]
    e0 = tiny.kinetic_energy.values[:, 0]
    # E_i(0) = ω_r,i (100)² for all sets
    assert e0 == pytest.approx(1e4 * np.broadcast_to(np.asarray(tiny.attrs["recoil"]), e0.shape))
    assert tiny.sign_work.shape == (len(fig8.SIGN_CASES), 2)


def test_plot_and_claims(tiny):
    fig = fig8.plot(tiny)
    assert len(fig.axes) == 3
    claims = fig8.claims(tiny)
    assert all(isinstance(c, Claim) for c in claims)
    statements = " ".join(c.statement for c in claims)
    for key in ("Doppler width", "Δ2 < 0 and Δ3 > 0", "slowly heats", "inverted"):
        assert key in statements
    # the detuning-sign claim is decided even on this small run: the broad line cools
    # only for Δ3 < 0 (the paper's text says Δ3 > 0)
    sign = next(c for c in claims if "Δ2 < 0 and Δ3 > 0" in c.statement)
    assert sign.holds is False
