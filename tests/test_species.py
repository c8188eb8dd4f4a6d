"""Species presets and unit conversions against the measured data they are built from."""

from __future__ import annotations

import math

import pytest

from vlaser.errors import ParameterError
from vlaser.species import HBAR, K_B, SPECIES, get_species


def test_lookup_is_case_and_label_insensitive():
    assert get_species("sr88") is get_species("88Sr") is get_species("SR88")
    assert get_species(get_species("ca40")).name == "ca40"
    with pytest.raises(ParameterError) as info:
        get_species("h1")
    assert info.value.name == "species" and "sr88" in str(info.value)


def test_linewidth_ratios():
    # Γ3/Γ2 from the measured lifetimes: 88Sr 21.28 µs / 5.263 ns = 4043; the paper's
    # 4266 comes from rounded linewidths (32 MHz / 7.5 kHz). 174Yb: 872 ns / 5.464 ns.
    assert 1 / get_species("sr88").gamma2 == pytest.approx(21.28e-6 / 5.263e-9, rel=1e-12)
    assert 1 / get_species("yb174").gamma2 == pytest.approx(159.6, abs=0.1)
    assert 1 / get_species("ca40").gamma2 > 1e4
    for sp in SPECIES.values():
        assert 0 < sp.gamma2 < 1
        assert sp.wavelength2_nm > sp.wavelength3_nm  # narrow line is the red one


def test_rate_conversions_roundtrip():
    sr = get_species("sr88")
    assert sr.to_model_rate(sr.linewidth3_hz) == pytest.approx(1.0, rel=1e-14)
    assert sr.to_model_rate(sr.linewidth2_hz) == pytest.approx(sr.gamma2, rel=1e-14)
    assert sr.to_hz(sr.to_model_rate(1234.5)) == pytest.approx(1234.5, rel=1e-14)
    assert sr.gamma3_si == pytest.approx(1 / 5.263e-9, rel=1e-12)


def test_recoil_and_temperature_units():
    sr = get_species("sr88")
    k = sr.k(3)
    assert k == pytest.approx(2 * math.pi / 460.862e-9)
    # Recoil energy ħ²k²/2m of the 461 nm line, in units of ħΓ3; its frequency
    # ω_r/2π = ħk²/(4πm) is the textbook 10.7 kHz for 88Sr.
    er = sr.recoil_energy(3)
    assert er == pytest.approx(HBAR * k**2 / (2 * sr.mass_kg) / sr.gamma3_si, rel=1e-14)
    assert HBAR * k**2 / (2 * sr.mass_kg) / (2 * math.pi) == pytest.approx(10.7e3, rel=0.01)
    # Doppler temperature ħΓ3/2k_B for 88Sr ≈ 0.73 mK: k_B T = 0.5 ħΓ3.
    assert sr.kbt_to_kelvin(0.5) == pytest.approx(0.5 * HBAR * sr.gamma3_si / K_B)
    assert sr.kbt_to_kelvin(0.5) == pytest.approx(0.73e-3, rel=0.02)
    with pytest.raises(ParameterError):
        sr.k(1)
    assert sr.omega_transition(2) == pytest.approx(2 * math.pi * 299792458.0 / 689.449e-9)
