"""Helpers shared by the scan tests (imported as ``scan_helpers``)."""

from __future__ import annotations

import numpy as np


def assert_same_data(a, b):
    """Bit-for-bit equality of every data variable and coordinate."""
    assert list(a.data_vars) == list(b.data_vars)
    for name in a.data_vars:
        assert a[name].dims == b[name].dims
        assert np.array_equal(a[name].values, b[name].values), name
    for name in a.coords:
        va, vb = a[name].values, b[name].values
        nan_ok = va.dtype.kind == "f" and vb.dtype.kind == "f"  # unset parameters are NaN
        assert np.array_equal(va, vb, equal_nan=nan_ok), name


def chunk_keys(solver, grid, fixed, layout):
    """call_key of every chunk (as SyntheticSolver logs it), by chunk index."""
    from vlaser.scan.run import resolve_fixed
    from vlaser.scan.testing import call_key

    fixed_all = resolve_fixed(solver, grid, fixed)
    axes = {a.name: a.values for a in grid.axes}
    keys = {}
    for k in range(layout.n_chunks):
        params = layout.params(axes, k)
        n = len(next(iter(params.values())))
        params.update({name: np.full(n, v) for name, v in fixed_all.items()})
        keys[k] = call_key(params)
    return keys
