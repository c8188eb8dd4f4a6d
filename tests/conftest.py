"""Test-suite settings shared by all test packages."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import settings  # noqa: E402

# Deterministic, deadline-free property tests (CI machines are slow and shared).
settings.register_profile("vlaser", deadline=None, derandomize=True, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "vlaser"))
