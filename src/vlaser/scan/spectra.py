"""Spectrum solvers on the scan layer: ``atom.spectrum`` and ``laser.spectrum``.

(Being written.)
"""
