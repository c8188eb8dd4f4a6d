"""Seeding, chunking, validation and bookkeeping of the trajectory runs."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from vlaser.errors import ParameterError
from vlaser.motion import max_dt, running_mean, simulate
from vlaser.params import AtomParams

PAPER = AtomParams.paper(nu2=1 / 4266, nu3=1 / 4266)
RUN = dict(trajectories=12, t_max=300.0, samples=31)


FIELDS = ("populations", "interval_populations", "momentum", "phase", "coherences", "jumps")
FIELDS += ("force_impulse", "kick_impulse", "work", "alive")


def _same(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True) for k in FIELDS)


def test_same_seed_same_output():
    assert _same(simulate(PAPER, seed=3, **RUN), simulate(PAPER, seed=3, **RUN))


def test_chunking_does_not_change_results():
    # progress reporting runs the trajectories in chunks (at least one trajectory per
    # numba thread each): trajectory j's generator comes from SeedSequence(seed).spawn(M)[j],
    # so the split cannot matter
    calls = []
    chunked = simulate(PAPER, seed=3, progress=lambda d, t: calls.append((d, t)), **RUN)
    assert _same(chunked, simulate(PAPER, seed=3, **RUN))
    assert calls[-1] == (12, 12) and len(calls) == 12 // numba.get_num_threads()
    assert [d for d, _ in calls] == sorted({d for d, _ in calls})


@pytest.mark.slow
def test_processes_do_not_change_results():
    assert _same(simulate(PAPER, seed=3, processes=2, **RUN), simulate(PAPER, seed=3, **RUN))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_threads_do_not_change_results():
    # numba's threads share the trajectories one at a time, in whatever order they
    # finish; each trajectory's numbers do not depend on that. Two escape early
    # (p_max), so the threads get uneven work.
    kw = dict(seed=3, trajectories=12, t_max=2000.0, samples=21, p_max=106.0)
    try:
        numba.set_num_threads(1)
        one = simulate(PAPER, **kw)
        numba.set_num_threads(2)
        two = simulate(PAPER, **kw)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert 0 < one.escaped_fraction < 1
    assert _same(one, two)


def test_different_seeds_agree_within_errors():
    kw = dict(trajectories=200, t_max=400.0, samples=5)
    a, b = simulate(PAPER, seed=1, **kw), simulate(PAPER, seed=2, **kw)
    assert not np.array_equal(a.momentum, b.momentum)
    for getter in ("kinetic_energy", "inversion"):
        (ma, ea), (mb, eb) = getattr(a, getter)(), getattr(b, getter)()
        # 4 combined standard errors (independent runs), at the final time
        assert np.all(np.abs(ma[-1] - mb[-1]) < 4 * np.hypot(ea[-1], eb[-1]))


def test_observables_and_summary():
    r = simulate(PAPER, seed=5, **RUN)
    e, _ = r.kinetic_energy()
    # E_i(0) = ω_r,i P0² with P0 = 100 ħk_i
    assert e[0] == pytest.approx(r.setup.recoil * 100.0**2)
    kbt, _ = r.kbt()
    assert kbt == pytest.approx(2 * e)
    inv, _ = r.inversion()
    assert inv[0] == -1.0  # ground state at t = 0
    pops = r.populations
    assert np.allclose(pops.sum(axis=-1), 1.0)
    assert np.allclose(r.interval_populations.sum(axis=-1), 1.0)
    s = r.summary()
    assert s["kinetic_energy"] == pytest.approx(e[-1].tolist())
    assert s["trajectories"] == 12 and len(s["kbt"]) == 2
    nf = r.node_fraction()
    assert nf.shape == (31, 2) and np.all(nf[0] == 0.0)  # all start at antinodes
    ds = r.to_dataset()
    assert ds["kinetic_energy"].shape == (31, 2) and "vlaser_version" in ds.attrs


def test_running_mean():
    x = np.arange(10.0)
    rm = running_mean(x, 3)
    assert rm[0] == 0.0 and rm[1] == 0.5 and rm[5] == pytest.approx(4.0)


def test_escape_marks_trajectory():
    # blue detuning on the broad line heats; a low p_max stops the trajectories
    hot = PAPER.replace(delta3=1.0)
    r = simulate(hot, trajectories=4, t_max=20000.0, samples=11, seed=1, p_max=120.0)
    assert r.escaped_fraction == 1.0
    assert np.isnan(r.momentum[:, -1]).all()
    assert np.all(np.isfinite(r.kinetic_energy()[0][0]))


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"trajectories": 0}, "trajectories"),
        ({"trajectories": -3}, "trajectories"),
        ({"trajectories": 2.5}, "trajectories"),
        ({"t_max": 0.0}, "time"),
        ({"t_max": -5.0}, "time"),
        ({"t_max": math.nan}, "time"),
        ({"samples": 1}, "samples"),
        ({"dt": 0.0}, "dt"),
        ({"dt": -0.1}, "dt"),
        ({"dt": 1.0}, "dt"),  # too coarse: ‖H_eff‖ dt = 5.2 > 3.5
        ({"species": "unobtainium"}, "species"),
        ({"initial_level": 4}, "initial_level"),
        ({"recoil": (-1.0, 0.0)}, "recoil"),
        ({"p0": math.inf}, "p0"),
        ({"seed": -1}, "seed"),
        ({"processes": 0}, "processes"),
        ({"bogus": 1}, "option"),
    ],
)
def test_bad_input_raises_parameter_error(kw, name):
    args = {"trajectories": 2, "t_max": 10.0, **kw}
    with pytest.raises(ParameterError) as info:
        simulate(PAPER, **args)
    assert info.value.name == name


def test_coarse_dt_is_refused_and_limit_accepted():
    limit = max_dt(PAPER)
    with pytest.raises(ParameterError, match="at most"):
        simulate(PAPER, trajectories=1, t_max=1.0, dt=1.01 * limit)
    r = simulate(PAPER, trajectories=1, t_max=1.0, dt=limit)
    assert r.setup.dt == limit


def test_array_params_refused():
    with pytest.raises(ParameterError):
        simulate(AtomParams.paper(delta2=np.array([1.0, 2.0])), trajectories=1, t_max=1.0)
