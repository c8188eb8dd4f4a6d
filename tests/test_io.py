"""Atomic writes leave either the complete new file or nothing."""

import json

import numpy as np
import pytest
import xarray as xr

from vlaser.io import atomic_path, provenance, to_jsonable, write_json, write_netcdf


def test_atomic_path_failure_leaves_nothing(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_failure_keeps_old_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("new")
        raise RuntimeError
    assert target.read_text() == "old"


def test_netcdf_roundtrip_with_provenance(tmp_path):
    ds = xr.Dataset({"x": ("a", np.arange(3.0))}, coords={"a": [1, 2, 3]})
    ds.attrs.update(provenance(params={"delta2": 5.0}))
    path = write_netcdf(ds, tmp_path / "r.nc")
    with xr.open_dataset(path) as back:
        assert back.attrs["vlaser_version"]
        assert json.loads(back.attrs["params"]) == {"delta2": 5.0}
        np.testing.assert_array_equal(back["x"].values, ds["x"].values)


def test_json_conversion(tmp_path):
    obj = {"a": np.float64(1.5), "b": np.arange(2), "c": float("nan")}
    assert to_jsonable(obj) == {"a": 1.5, "b": [0, 1], "c": None}
    p = write_json(tmp_path / "x.json", {"a": np.arange(2)})
    assert json.loads(p.read_text()) == {"a": [0, 1]}
