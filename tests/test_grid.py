"""Axis grammar and grids of :mod:`vlaser.scan.grid`."""

from __future__ import annotations

import numpy as np
import pytest

from vlaser.errors import ParameterError
from vlaser.params import DEFAULT_GAMMA2
from vlaser.scan.grid import Axis, Grid, parse_axis

ALLOWED = ["delta2", "delta3", "omega2", "nu2"]


def test_linear_log_and_explicit_axes():
    a = parse_axis("delta2=-10:10:201", ALLOWED)
    assert a.kind == "linear" and len(a) == 201 and a.values[0] == -10 and a.values[-1] == 10
    np.testing.assert_allclose(np.diff(a.values), 0.1, atol=1e-12)
    b = parse_axis("omega2=log:0.01:100:5", ALLOWED)
    np.testing.assert_allclose(b.values, [0.01, 0.1, 1, 10, 100], rtol=1e-12)
    c = parse_axis("nu2=0,10g2,100g2", ALLOWED)
    np.testing.assert_allclose(c.values, [0, 10 * DEFAULT_GAMMA2, 100 * DEFAULT_GAMMA2])
    assert parse_axis("nu2=0:2g2:3", ALLOWED, gamma2=0.5).values[-1] == 1.0
    assert not a.values.flags.writeable
    assert parse_axis(c.spec(), ALLOWED).values.tolist() == c.values.tolist()


@pytest.mark.parametrize(
    "spec",
    [
        "delta2",
        "delta2=",
        "delta2=1:2",
        "delta2=1:2:3:4",
        "delta2=1:2:0",
        "delta2=1:2:x",
        "delta2=1:2:2.5",
        "delta2=a:2:3",
        "omega2=log:0:1:3",
        "omega2=log:-1:1:3",
        "delta2=,",
    ],
)
def test_malformed_specs(spec):
    with pytest.raises(ParameterError):
        parse_axis(spec, ALLOWED)


def test_unknown_parameter_is_named():
    with pytest.raises(ParameterError) as info:
        parse_axis("kappa=0:1:3", ALLOWED)
    assert info.value.name == "grid parameter" and info.value.value == "kappa"
    assert parse_axis("kappa=0:1:3").name == "kappa"  # no restriction without allowed


def test_axis_validation():
    with pytest.raises(ParameterError):
        Axis("x", np.array([]))
    with pytest.raises(ParameterError):
        Axis("x", np.array([1.0, np.inf]))
    with pytest.raises(ParameterError):
        Axis("x", np.zeros((2, 2)))


def test_grid_mesh_broadcasts_in_axis_order():
    g = Grid.from_specs(["delta2=-1:1:3", "delta3=0:1:4"], ALLOWED)
    assert g.shape == (3, 4) and g.names == ("delta2", "delta3")
    m = g.mesh()
    assert m["delta2"].shape == (3, 1) and m["delta3"].shape == (1, 4)
    assert np.broadcast_shapes(*(v.shape for v in m.values())) == (3, 4)
    with pytest.raises(ParameterError):
        Grid.from_specs(["delta2=0:1:2", "delta2=0:1:3"])
