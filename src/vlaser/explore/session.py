"""One page's computations: the newest request wins, progress is reported.

A :class:`Session` owns a worker thread. :meth:`Session.submit` hands it a request
(a sequence number and the page's values); the worker computes the views of
:mod:`vlaser.explore.views` stage by stage and passes each result to ``emit`` as soon
as it is ready, so the map shows before the laser curve is done. A newer request
supersedes an older one: the worker checks between stages, and inside the laser
curve after every atom number (through the solver's progress callback), and drops
the old request there. The page therefore never waits for work it no longer wants,
and the event loop that serves it never computes.

Messages (dicts, JSON-ready), each with the request's ``seq``:

* ``{"type": "accepted", "point": ..., "command": ...}`` — the values are valid;
* ``{"type": "error", "message": str(ParameterError), "control": name}`` — they are
  not: the package's own message, never a traceback;
* ``{"type": "progress", "stage": name, "done": i, "total": n}``;
* ``{"type": "view", "view": name, "data": ..., "rows": [...], "message": ...,
  "key": k, "seconds": t}`` (``t``: the stage's time on the server), or
  ``{"type": "view", "view": name, "key": k, "unchanged": true}`` where the page
  already shows that view (the key it sent in ``drawn``): nothing to redraw;
* ``{"type": "view_error", "view": name, "message": ...}`` — the API refused one view
  (e.g. no unique single-atom steady state); the others still come;
* ``{"type": "done", "seconds": t}``.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

from vlaser.errors import VlaserError
from vlaser.explore import views

Emit = Callable[[dict[str, Any]], None]

#: Least time between two progress messages of one stage (s).
PROGRESS_INTERVAL = 0.05


class Superseded(Exception):
    """Raised inside a computation when a newer request has arrived."""


class Session:
    """Runs the newest request of one page in a worker thread.

    Args:
        emit: Called (from the worker thread) with every message; must not block long.
    """

    def __init__(self, emit: Emit) -> None:
        self._emit = emit
        self._cond = threading.Condition()
        self._pending: tuple[int, dict[str, Any], dict[str, str]] | None = None
        self._latest = -1
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="vlaser-explore", daemon=True)
        self._thread.start()

    def submit(
        self, seq: int, values: Mapping[str, Any], drawn: Mapping[str, str] | None = None
    ) -> None:
        """Queue a request; any older one (queued or running) is superseded.

        ``drawn`` maps a view to the key of what the page shows now; a view whose key
        is unchanged is answered with ``"unchanged": true`` instead of its data.
        """
        with self._cond:
            self._pending = (
                int(seq),
                dict(values),
                {str(k): str(v) for k, v in (drawn or {}).items()},
            )
            self._latest = int(seq)
            self._cond.notify()

    def close(self, timeout: float | None = 5.0) -> None:
        """Stop the worker (the running stage ends at its next check)."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout)

    @property
    def latest(self) -> int:
        """Sequence number of the newest request."""
        return self._latest

    def _current(self, seq: int) -> bool:
        return seq == self._latest and not self._closed

    def _check(self, seq: int) -> None:
        if not self._current(seq):
            raise Superseded

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                assert self._pending is not None
                seq, values, drawn = self._pending
                self._pending = None
            try:
                self._compute(seq, values, drawn)
            except Superseded:
                continue
            except Exception as exc:  # never let the worker die; no traceback to the page
                traceback.print_exc()
                self._send(
                    seq,
                    {"type": "error", "message": f"internal error: {type(exc).__name__}: {exc}"},
                )

    def _send(self, seq: int, msg: dict[str, Any]) -> None:
        if self._current(seq):
            self._emit({**msg, "seq": seq})

    def _compute(self, seq: int, values: dict[str, Any], drawn: dict[str, str]) -> None:
        t0 = time.perf_counter()
        try:
            point = views.parse_point(values)
        except VlaserError as exc:
            name = getattr(exc, "name", "")
            control = views.PARAM_TO_CONTROL.get(name, "")
            self._send(seq, {"type": "error", "message": str(exc), "control": control})
            return
        self._send(
            seq,
            {"type": "accepted", "point": point.to_dict(), "command": views.cli_command(point)},
        )
        last = [0.0]

        def progress(stage: str) -> Callable[[int, int], None]:
            def report(done: int, total: int) -> None:
                self._check(seq)
                now = time.perf_counter()
                if now - last[0] >= PROGRESS_INTERVAL or done == total:
                    last[0] = now
                    self._send(
                        seq, {"type": "progress", "stage": stage, "done": done, "total": total}
                    )

            return report

        stages: dict[str, Callable[[], views.View | None]] = {
            "atom_map": lambda: views.atom_map(point),
            "atom_spectrum": lambda: views.atom_spectrum(point),
            "laser_point": lambda: views.laser_point(point),
            "laser_curve": lambda: views.laser_curve(point, progress("laser_curve")),
            "laser_dynamics": lambda: views.laser_dynamics(point),
        }
        for name in views.STAGES:
            self._check(seq)
            self._send(seq, {"type": "progress", "stage": name, "done": 0, "total": 1})
            t_stage = time.perf_counter()
            try:
                view = stages[name]()
            except Superseded:
                raise
            except VlaserError as exc:
                self._send(seq, {"type": "view_error", "view": name, "message": str(exc)})
                continue
            self._check(seq)
            if view is None:  # nothing to show (e.g. no dynamics at a stable point)
                view = views.View(name, {}, [])
            if view.key and drawn.get(name) == view.key:
                msg = {"type": "view", "view": name, "key": view.key, "unchanged": True}
            else:
                msg = view.to_message()
            self._send(seq, {**msg, "seconds": time.perf_counter() - t_stage})
        self._send(seq, {"type": "done", "seconds": time.perf_counter() - t0})


__all__ = ["PROGRESS_INTERVAL", "Session", "Superseded"]
