"""SI units of the laser (vlaser.laser.units): hand calculations written out here."""

from __future__ import annotations

import dataclasses
import math

import pytest

from vlaser.errors import ParameterError
from vlaser.laser import units
from vlaser.params import LaserParams
from vlaser.species import get_species

C = 299792458.0
HBAR = 1.054571817e-34


def test_kappa_from_finesse_and_length_by_hand() -> None:
    # L = 10 cm, F = 10000: FSR = c/2L = 1.49896229 GHz, FWHM = FSR/F = 149.896229 kHz,
    # κ (field) = half the FWHM in angular units: κ/2π = 74.948 kHz.
    kappa = units.kappa_from_finesse(10000, length_m=0.10)
    assert kappa / (2 * math.pi) == pytest.approx(74948.1145, rel=1e-9)
    # the same cavity from its FSR
    assert units.kappa_from_finesse(10000, fsr=C / 0.2) == pytest.approx(kappa, rel=1e-12)
    cav = units.cavity("sr88", finesse=10000, length_m=0.10)
    assert cav.linewidth_hz == pytest.approx(149896.229, rel=1e-9)
    # and back to the model's κ in Γ3 units
    sp = get_species("sr88")
    assert cav.kappa == pytest.approx(74948.1145 / sp.linewidth3_hz, rel=1e-9)


def test_photons_per_second_is_two_kappa_n() -> None:
    sp = get_species("sr88")
    p = LaserParams(gamma2=sp.gamma2, kappa=50 * sp.gamma2, g=2 * sp.gamma2, atoms=50000)
    n = 1000.0
    # κ = 50 Γ2 = 2π·50·7.479 kHz; photons leave at 2κ n per second
    kappa_si = 50 * 2 * math.pi * sp.linewidth2_hz
    assert units.photon_flux(sp, p.kappa, n) == pytest.approx(2 * kappa_si * n, rel=1e-12)
    hand_power = HBAR * 2 * math.pi * C / 689.449e-9 * 2 * kappa_si * n
    assert units.output_power(sp, p.kappa, n) == pytest.approx(hand_power, rel=1e-12)
    out = units.si_readout(p, "sr88", photons=n, fwhm=0.3 * sp.gamma2, peak=2 * sp.gamma2)
    assert out["si"]["photons_per_s"] == pytest.approx(2 * kappa_si * n, rel=1e-12)
    assert out["si"]["fwhm_hz"] == pytest.approx(0.3 * sp.linewidth2_hz, rel=1e-12)
    assert out["si"]["peak_hz"] == pytest.approx(2 * sp.linewidth2_hz, rel=1e-12)
    assert out["model"]["photon_decay_rate"] == pytest.approx(2 * p.kappa)
    assert out["model"]["cooperativity"] == pytest.approx(0.16, rel=1e-12)


def test_hz_both_ways() -> None:
    sp = get_species("yb174")
    assert units.from_hz(sp, units.to_hz(sp, 0.37)) == pytest.approx(0.37, rel=1e-14)
    assert units.to_hz(sp, 1.0) == pytest.approx(sp.linewidth3_hz, rel=1e-14)


def test_saturation_intensity_and_rabi_by_hand() -> None:
    # 88Sr 461 nm: I_sat = π h c Γ/(3 λ³) with Γ = 1/5.263 ns: 40.5 mW/cm² (textbook value)
    h = 2 * math.pi * HBAR
    gamma = 1 / 5.263e-9
    lam = 460.862e-9
    isat = math.pi * h * C * gamma / (3 * lam**3)
    assert units.saturation_intensity("sr88", 3) == pytest.approx(isat, rel=1e-12)
    assert isat * 1e-4 == pytest.approx(0.0405, rel=0.02)
    # Ω3 = 0.5 Γ3 (coefficient in H): Rabi frequency Γ3, I = 2 I_sat Ω_R²/Γ² = 2 I_sat
    assert units.pump_intensity("sr88", 3, 0.5) == pytest.approx(2 * isat, rel=1e-12)
    # narrow line: Ω2 = 0.5 Γ3 = 0.5/Γ2 Γ2: I = 8 I_sat2 (0.5/Γ2)²
    sp = get_species("sr88")
    isat2 = math.pi * h * C * (1 / 21.28e-6) / (3 * (689.449e-9) ** 3)
    assert units.pump_intensity(sp, 2, 0.5) == pytest.approx(8 * isat2 * (0.5 / sp.gamma2) ** 2,
                                                             rel=1e-12)  # fmt: skip
    for level, om in ((2, 0.5), (3, 0.5), (3, 2.0)):
        i = units.pump_intensity(sp, level, om)
        assert units.rabi_from_intensity(sp, level, i) == pytest.approx(om, rel=1e-12)


def test_coupling_from_waist_by_hand_and_cooperativity() -> None:
    sp = get_species("sr88")
    w0, length, fin = 100e-6, 0.05, 20000.0
    lam = 689.449e-9
    gamma2 = 1 / 21.28e-6
    v = math.pi * w0**2 * length / 4
    # dipole from Γ2 = ω³d²/(3π ε0 ħ c³), then g = d sqrt(ω/(2 ħ ε0 V))
    omega = 2 * math.pi * C / lam
    eps0 = 8.8541878128e-12
    d = math.sqrt(3 * math.pi * eps0 * HBAR * C**3 * gamma2 / omega**3)
    g_hand = d * math.sqrt(omega / (2 * HBAR * eps0 * v))
    cav = units.cavity(sp, finesse=fin, length_m=length, waist_m=w0)
    assert cav.g_si == pytest.approx(g_hand, rel=1e-9)
    # antinode cooperativity C = 4g²/(2κ Γ2) = 24 F/(π k² w0²)
    k = 2 * math.pi / lam
    assert cav.cooperativity == pytest.approx(24 * fin / (math.pi * k**2 * w0**2), rel=1e-9)
    # the other way: g from the cooperativity
    cav2 = units.cavity(sp, finesse=fin, length_m=length, cooperativity_value=cav.cooperativity)
    assert cav2.g_si == pytest.approx(cav.g_si, rel=1e-12)
    assert cav.volume_m3 == pytest.approx(v, rel=1e-12)
    p = LaserParams(gamma2=sp.gamma2, kappa=cav.kappa, g=cav.g, atoms=1e5)
    out = units.si_readout(p, sp, photons=1.0, cavity=cav)
    assert out["si"]["atom_density_cm3"] == pytest.approx(1e5 / (v * 1e6), rel=1e-12)


def test_paper_cavity_default() -> None:
    sp = get_species("ca40")
    cav = units.cavity(sp)
    assert cav.kappa == pytest.approx(50 * sp.gamma2, rel=1e-12)
    assert cav.g == pytest.approx(2 * sp.gamma2, rel=1e-12)
    assert cav.cooperativity == pytest.approx(0.16, rel=1e-12)


def test_bad_inputs_one_line() -> None:
    with pytest.raises(ParameterError, match="species"):
        units.si_readout(LaserParams(), None, photons=1.0)
    broken = dataclasses.replace(get_species("sr88"), name="srx", wavelength3_nm=float("nan"))
    with pytest.raises(ParameterError, match="wavelength3_nm"):
        units.pump_intensity(broken, 3, 0.5)
    with pytest.raises(ParameterError, match="finesse"):
        units.kappa_from_finesse(-1.0, length_m=0.1)
    with pytest.raises(ParameterError, match="length"):
        units.cavity("sr88", waist_m=1e-4)
    with pytest.raises(ParameterError, match="cooperativity"):
        units.cavity("sr88", g_hz=1e3, cooperativity_value=0.1)
    with pytest.raises(ParameterError):
        units.cavity("xe131")


@pytest.mark.parametrize("command", ["steady", "spectrum"])
def test_laser_steady_and_spectrum_json_carry_si_with_a_species(run_cli, command):
    """Model keys unchanged; ``si`` added with --species: photons/s = 2κ n (κ in rad/s =
    κ_model · 2π · Γ3/2π in Hz), line in Hz = model value × Γ3/2π."""
    import json

    args = ("laser", command, "--atoms", "30000", "--nu2", "10g2", "--nu3", "10g2", "--json")
    code, out, _ = run_cli(*args)
    assert code == 0 and "si" not in json.loads(out)
    code, out, _ = run_cli(*args, "--species", "sr88")
    assert code == 0
    d = json.loads(out)
    si, model = d["si"]["si"], d["si"]["model"]
    assert model["photons"] == pytest.approx(d["photons"], rel=1e-12)
    g3 = si["gamma3_hz"]
    assert si["photons_per_s"] == pytest.approx(2 * model["kappa"] * d["photons"] * 2 * math.pi * g3,
                                                rel=1e-12)  # fmt: skip
    if command == "spectrum":
        assert si["fwhm_hz"] == pytest.approx(d["fwhm"] * g3, rel=1e-12)
        assert si["peak_hz"] == pytest.approx(d["peak"] * g3, rel=1e-12)
    code, out, _ = run_cli(*args[:-1], "--species", "sr88")
    assert code == 0 and "SI (sr88): P = " in out
