"""Exception types of vlaser.

Every validation failure raises :class:`ParameterError`, whose message names the
parameter, the offending value and what is allowed. The CLI prints the message on
one line (no traceback) and exits with status 2.
"""

from __future__ import annotations


class VlaserError(Exception):
    """Base class of all errors raised deliberately by vlaser."""


class ParameterError(VlaserError, ValueError):
    """An input parameter is invalid.

    Args:
        name: Parameter name as the user spells it (API keyword or CLI option).
        value: The offending value.
        allowed: Human-readable description of what is allowed.
    """

    def __init__(self, name: str, value: object, allowed: str) -> None:
        self.name = name
        self.value = value
        self.allowed = allowed
        super().__init__(f"invalid {name}={value!r}: {allowed}")


class ConvergenceError(VlaserError, RuntimeError):
    """A solver did not converge and the caller asked for a converged result."""


class StoreMismatchError(VlaserError):
    """A result store holds another scan than the one asked to resume."""
