"""Validation, broadcasting and text parsing of the parameter sets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vlaser.errors import ParameterError
from vlaser.params import (
    DEFAULT_GAMMA2,
    AtomParams,
    LaserParams,
    params_from_mapping,
    parse_rate,
    validate_value,
)


def test_defaults_and_paper_point():
    p = AtomParams.paper()
    assert (p.delta2, p.delta3, p.omega2, p.omega3) == (5.0, -1.0, 0.5, 0.5)
    assert p.gamma2 == pytest.approx(1 / 4266) and p.gamma3 == 1.0
    assert DEFAULT_GAMMA2 == pytest.approx(1 / 4266)
    lp = LaserParams.paper()
    assert lp.atoms == 50000 and lp.delta_c == lp.delta2
    assert lp.g == pytest.approx(2 * DEFAULT_GAMMA2) and lp.kappa == pytest.approx(
        50 * DEFAULT_GAMMA2
    )
    assert lp.atom() == AtomParams.paper()
    lp2 = LaserParams.paper(gamma2=1e-3)
    assert lp2.kappa == pytest.approx(0.05)
    assert LaserParams(delta2=2.0, delta_c=1.0).delta_c == 1.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gamma2", -1e-3),
        ("gamma3", 0.0),
        ("nu2", -0.1),
        ("nu3", float("inf")),
        ("gamma23", float("nan")),
        ("delta2", float("nan")),
        ("omega3", "abc"),
    ],
)
def test_invalid_atom_fields_name_the_parameter(field, value):
    with pytest.raises(ParameterError) as info:
        AtomParams(**{field: value})
    assert info.value.name == field
    assert str(info.value).startswith(f"invalid {field}=")


def test_invalid_laser_fields():
    with pytest.raises(ParameterError, match="atoms"):
        LaserParams(atoms=0.5)
    with pytest.raises(ParameterError, match="kappa"):
        LaserParams(kappa=0.0)
    with pytest.raises(ParameterError, match="gamma3"):
        LaserParams(gamma3=np.array([1.0, -1.0]))


def test_array_fields_broadcast_and_are_read_only():
    p = AtomParams(delta2=np.linspace(-1, 1, 3)[:, None], omega2=np.array([[0.1, 0.2, 0.3, 0.4]]))
    assert p.shape == (3, 4)
    b = p.broadcast()
    assert b["delta2"].shape == (3, 4) and b["gamma3"].shape == (3, 4)
    assert not p.delta2.flags.writeable
    pt = p.point((2, 1))
    assert pt.shape == () and pt.delta2 == 1.0 and pt.omega2 == 0.2
    d = p.to_dict()
    assert d["delta2"] == [[-1.0], [0.0], [1.0]] and d["gamma3"] == 1.0


def test_incompatible_shapes_raise():
    p = AtomParams(delta2=np.zeros(3), delta3=np.zeros(4))
    with pytest.raises(ParameterError, match="shape"):
        _ = p.shape


def test_replace_and_unknown_names():
    p = AtomParams.paper().replace(nu2=1e-3)
    assert p.nu2 == 1e-3 and p.delta2 == 5.0
    with pytest.raises(ParameterError, match="parameter"):
        AtomParams().replace(kappa=1.0)
    with pytest.raises(ParameterError):
        AtomParams().replace(nu2=-1.0)
    q = params_from_mapping(AtomParams, {"delta2": 1.0}, omega2=0.3)
    assert q.delta2 == 1.0 and q.omega2 == 0.3
    with pytest.raises(ParameterError, match="parameter"):
        params_from_mapping(AtomParams, {"bogus": 1.0})


def test_for_species_sets_gamma2():
    p = AtomParams.for_species("yb174", delta2=1.0)
    assert 1 / p.gamma2 == pytest.approx(159.6, abs=0.1)
    with pytest.raises(ParameterError, match="species"):
        AtomParams.for_species("xx")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5", 0.5),
        ("-1", -1.0),
        ("10g2", 10 * DEFAULT_GAMMA2),
        ("2.5e-1", 0.25),
        (" 3g3 ", 3.0),
        (".5G2", 0.5 * DEFAULT_GAMMA2),
        (7, 7.0),
    ],
)
def test_parse_rate(text, expected):
    assert parse_rate(text, "x") == pytest.approx(expected, rel=1e-15)


def test_parse_rate_units_and_errors():
    assert parse_rate("1g2", "x", gamma2=0.01) == pytest.approx(0.01)
    # Hz only with a species; 32 MHz ≈ 1.06 Γ3 for 88Sr (Γ3/2π = 30.24 MHz).
    assert parse_rate("30.24MHz", "x", species="sr88") == pytest.approx(1.0, rel=1e-3)
    for bad in ["", "abc", "1 2", "1kHz", "1e999", "nan"]:
        with pytest.raises(ParameterError) as info:
            parse_rate(bad, "nu2")
        assert info.value.name == "nu2"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_parse_rate_roundtrip(x):
    assert parse_rate(repr(x), "x") == x
    assert math.isclose(parse_rate(f"{x!r}g2", "x", gamma2=0.5), 0.5 * x)


def test_validate_value_constraints():
    assert validate_value("n", 3, "count") == 3.0
    with pytest.raises(ParameterError):
        validate_value("n", 2.5, "count")
    arr = validate_value("a", [1.0, 2.0], "pos")
    assert isinstance(arr, np.ndarray) and not arr.flags.writeable
    with pytest.raises(ParameterError) as info:
        validate_value("a", [1.0, -2.0], "nonneg")
    assert info.value.value == -2.0
