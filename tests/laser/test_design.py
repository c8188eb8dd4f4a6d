"""Operating-point design (vlaser.laser.design): against a brute-force grid, against the
paper's point, for three species, bad input and infeasible constraints."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from vlaser.cli import main
from vlaser.errors import ParameterError
from vlaser.laser import steady_state
from vlaser.laser.design import Constraints, design
from vlaser.params import DEFAULT_GAMMA2 as G2
from vlaser.params import LaserParams
from vlaser.species import get_species

PAPER = LaserParams(delta2=5.0, delta3=-1.0, omega2=0.5, omega3=0.5, atoms=50000,
                    nu2=10 * G2, nu3=10 * G2)  # fmt: skip


def test_optimiser_beats_dense_brute_force_grid():
    """Δ2 x Ω2 grid (15 x 15) at N = 20000; feasible = stable and |<a>|²/n <= 1e-3."""
    base = PAPER.replace(atoms=20000)
    d2 = np.linspace(2.0, 9.0, 15)
    om = np.linspace(0.1, 1.0, 15)
    grid = steady_state(base.replace(delta2=d2[:, None], omega2=om[None, :], delta_c=None),
                        dynamics=False)  # fmt: skip
    # the grid's Δc follows Δ2 (delta_c None), as in design's tuning convention
    frac = grid.coherent_photons / grid.photons
    ok = grid.converged & grid.stable & (frac <= 1e-3) & (grid.max_growth_rate <= -1e-3 * G2)
    assert ok.sum() > 50
    best_grid = float(np.max(np.where(ok, grid.photons, -np.inf)))
    res = design(base, "power", ("delta2", "omega2"),
                 {"delta2": (2.0, 9.0), "omega2": (0.1, 1.0)}, starts=3)  # fmt: skip
    assert res.feasible
    print(f"grid best n = {best_grid:.6g}, optimiser n = {res.optimum.photons:.6g}")
    assert res.optimum.photons >= best_grid * (1 - 1e-9)
    assert res.optimum.coherent_fraction <= 1e-3 and res.optimum.growth < 0
    assert res.steady_states > 0 and len(res.record) == 3


def test_at_least_the_paper_point_power_and_linewidth():
    res = design(PAPER, "power", ("delta2", "delta3", "omega2", "omega3"),
                 {"delta2": (0.05, 15.0)}, species="sr88", starts=2)  # fmt: skip
    assert res.feasible and res.start is not None
    assert res.optimum.objective >= res.start.objective
    assert res.optimum.photons > 10 * res.start.photons  # the paper's point is far from optimal
    assert res.optimum.coherent_fraction <= 1e-3 * (1 + 1e-6)
    assert res.optimum.si["si"]["power_w"] > res.start.si["si"]["power_w"]
    lw = design(PAPER, "linewidth", ("delta2", "omega2"), starts=1, maxiter=25)
    assert lw.feasible and lw.optimum.objective >= lw.start.objective * (1 - 1e-9)
    assert lw.optimum.fwhm <= lw.start.fwhm


@pytest.mark.parametrize("species", ["yb174", "ca40"])
def test_species(species):
    sp = get_species(species)
    p = LaserParams(delta2=5.0, delta3=-1.0, omega2=0.5, omega3=0.5, atoms=50000,
                    gamma2=sp.gamma2, g=2 * sp.gamma2, kappa=50 * sp.gamma2,
                    nu2=10 * sp.gamma2, nu3=10 * sp.gamma2)  # fmt: skip
    box = {"delta2": (0.05, 60.0), "delta3": (-6.0, 6.0), "omega2": (0.005, 6.0),
           "omega3": (0.05, 6.0)}  # fmt: skip
    res = design(p, "power", tuple(box), box, species=species, starts=2, maxiter=40,
                 constraints=Constraints(pump_intensity=1e4))  # fmt: skip
    assert res.feasible and res.optimum.photons > 1.0
    si = res.optimum.si["si"]
    assert si["power_w"] > 0 and si["pump2_intensity_w_cm2"] <= 1e4 * (1 + 1e-6)


def test_infeasible_reports_closest_point():
    res = design(PAPER, "power", ("delta2", "omega2"), starts=1,
                 constraints=Constraints(coherent_fraction=1e-12))  # fmt: skip
    assert not res.feasible
    assert res.optimum.constraints["coherent_fraction"] < 0
    assert math.isfinite(res.optimum.photons)
    assert any("infeasible" in n for n in res.notes)


def test_bad_inputs():
    with pytest.raises(ParameterError, match="objective"):
        design(PAPER, "speed")
    with pytest.raises(ParameterError, match="free"):
        design(PAPER, "power", ("delta2", "kappa"))
    with pytest.raises(ParameterError, match="non-empty"):
        design(PAPER, "power", ("delta2",), {"delta2": (3.0, 3.0)})
    with pytest.raises(ParameterError, match="finite"):
        design(PAPER, "power", ("delta2",), {"delta2": (1.0, float("inf"))})
    with pytest.raises(ParameterError, match="species"):
        design(PAPER, "power", ("omega2",), constraints=Constraints(pump_intensity=10.0))
    with pytest.raises(ParameterError, match="coherent-fraction"):
        Constraints(coherent_fraction=float("nan"))


def _run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return exc.value.code, out, err


@pytest.mark.parametrize(
    "args",
    [
        ("--objective", "speed"),
        ("--free", "delta2,bogus"),
        ("--bound", "delta2=3:1"),
        ("--bound", "delta2=nan:4"),
        ("--bound", "omega3=0.1:1"),
        ("--max-intensity", "10"),
        ("--finesse", "1000", "--length", "0.1"),
    ],
)
def test_cli_bad_input_one_line(capsys, args):
    code, out, err = _run(capsys, "design", *args)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error:")


def test_cli_design_json_and_infeasible(capsys):
    common = ("design", "--species", "sr88", "--nu2", "10g2", "--nu3", "10g2", "--starts", "1")
    code, out, _ = _run(capsys, *common, "--finesse", "20000", "--length", "0.1",
                        "--cooperativity", "0.16", "--json")  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert d["feasible"] and d["optimum"]["si"]["si"]["power_w"] > 0
    assert d["cavity"]["cooperativity"] == pytest.approx(0.16)
    code, out, err = _run(capsys, *common, "--max-coherent-fraction", "1e-12", "--json")
    assert code == 2 and json.loads(out)["feasible"] is False
    assert err.count("\n") == 1 and "infeasible" in err


def test_design_figure_is_an_extension_of_reproduce():
    from vlaser import figures

    mods = figures.available()
    assert "design" in figures.FIGURE_KEYS and "design" in mods
    mod = mods["design"]
    assert callable(mod.compute) and callable(mod.plot) and callable(mod.claims)
    row = mod.paper_point("sr88")
    assert row["power_w"] == pytest.approx(1.349e-9, rel=2e-3)
    assert row["coherent_fraction"] < 1e-3 and row["growth"] < 0


def test_clock_objective_and_pareto_front():
    small = PAPER.replace(atoms=30000)
    res = design(small, "clock", ("omega2",), {"omega2": (0.3, 0.8)}, starts=1, maxiter=8)
    assert res.feasible and res.optimum.pulling is not None
    assert res.optimum.objective >= res.start.objective * (1 - 1e-9)
    from vlaser.laser.design import pareto

    front = pareto(small, ("omega2",), {"omega2": (0.3, 0.8)}, points=2, starts=1, maxiter=10)
    assert len(front.points) == 2 and all(front.feasible)
    fw = [p.fwhm for p in front.points]
    assert all(f <= e * (1 + 1e-6) for f, e in zip(fw, front.epsilons, strict=True))
    assert front.points[-1].photons >= front.points[0].photons * (1 - 1e-9)


def test_line_offset_constraint_keeps_the_line_near_omega2():
    """From the 4-parameter power optimum with Δc free, the power optimum's line sits
    more than 30Γ2 from ω2; the bound |δp| ≤ 30Γ2 becomes active and holds (SLSQP
    constraint tolerance: 1e-6 relative), at slightly lower power."""
    from vlaser.laser.spectrum import cavity_spectrum

    start = PAPER.replace(delta2=3.3226, delta3=-1.2513, omega2=1.3547, omega3=1.5,
                          delta_c=3.3226)  # fmt: skip
    bounds = {"delta_c": (3.0, 5.5)}
    free_run = design(start, "power", ("delta_c",), bounds, starts=2)
    assert abs(cavity_spectrum(free_run.optimum.params).peak) > 30 * G2
    res = design(start, "power", ("delta_c",), bounds, Constraints(max_line_offset=30 * G2),
                 starts=2)  # fmt: skip
    assert res.feasible and "max_line_offset" in res.active
    assert abs(res.optimum.peak) <= 30 * G2 * (1 + 1e-6)
    assert res.optimum.photons <= free_run.optimum.photons * (1 + 1e-9)
    assert "max_line_offset" in Constraints(max_line_offset=1.0).names()
    with pytest.raises(ParameterError, match="max-line-offset"):
        Constraints(max_line_offset=-1.0)


def test_cli_bad_line_offset_one_line(capsys):
    code, out, err = _run(capsys, "design", "--max-line-offset", "-3")
    assert code == 2 and out == "" and err.count("\n") == 1 and "max-line-offset" in err
