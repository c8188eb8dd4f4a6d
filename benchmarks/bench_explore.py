"""Responsiveness of ``vlaser explore``, measured in the browser.

Run: ``python benchmarks/bench_explore.py`` (about 1 minute; needs Debian's
``chromium`` and ``chromium-driver``). Prints one JSON object.

The real command ``vlaser explore --port 0 --no-browser`` runs in a child process and
a headless Chromium (selenium) opens the page. Each measurement types a new value into
a control's field and leaves it (the ``change`` event, as a person would); the page
records ``performance.now()`` at that event and again once the view's ``Plotly.react``
has finished and the next animation frame has come (``window.vlaserTimings``). So a
time covers the WebSocket round trip, the server's computation of every stage before
the view, the JSON transfer and parse, and the drawing.

* **atom map, 101 x 101**: Ω2 stepped to a new value each time (a new map: nothing
  cached); the time to the map drawn. Also the time to the emission spectrum.
* **laser N curve, 100 points**: g stepped to a new value each time (a new curve from
  scratch by continuation, N = 1 … 50000; the single-atom views come from the cache,
  as they do not depend on g); the time to the curve drawn.

Each is repeated ``--runs`` times (default 15) after ``--warm`` unmeasured changes;
the median, 90th percentile and maximum are reported, with the server's own share
(``server_ms``: the stage's computation and serialization) and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime

TARGET_MS = 300.0


def _summary(values: list[float]) -> dict[str, float]:
    s = sorted(values)
    return {
        "median_ms": round(statistics.median(s), 1),
        "p90_ms": round(s[min(len(s) - 1, int(0.9 * len(s)))], 1),
        "max_ms": round(s[-1], 1),
        "min_ms": round(s[0], 1),
        "runs": len(s),
    }


def _measure(b, control: str, values: list[str], views: tuple[str, ...]) -> dict[str, list]:
    out: dict[str, list] = {v: [] for v in views} | {f"{v}_server": [] for v in views}
    for value in values:
        state = b.set_control(control, value)
        if state != "idle":
            raise RuntimeError(f"{control}={value}: page in state {state}: {b.error_text()}")
        seq = b.seq()
        for t in b.timings():
            if t["seq"] == seq and t["view"] in views:
                out[t["view"]].append(t["ms"])
                out[f"{t['view']}_server"].append(t["server_ms"])
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--warm", type=int, default=3)
    args = ap.parse_args(argv)

    from vlaser.explore.browser import Browser, ExplorerProcess, unavailable_reason

    why = unavailable_reason()
    if why:
        print(f"cannot run: {why}", file=sys.stderr)
        raise SystemExit(2)
    load0 = os.getloadavg()
    with ExplorerProcess() as srv, Browser(1500, 1000) as b:
        t0 = time.perf_counter()
        b.open(srv.url)
        first_page = time.perf_counter() - t0
        n = args.warm + args.runs
        omegas = [f"{0.5 + 0.003 * (k + 1):.3f}" for k in range(n)]
        atom = _measure(b, "omega2", omegas, ("atom_map", "atom_spectrum"))
        b.set_control("omega2", "0.5")
        gs = [f"{2.0 + 0.01 * (k + 1):.2f}" for k in range(n)]
        laser = _measure(b, "g", gs, ("laser_curve", "laser_point"))
        settings = b.driver.execute_script(
            "return [document.getElementById('ctl-map_points').value,"
            " document.getElementById('ctl-curve_points').value];"
        )
    load1 = os.getloadavg()
    w = args.warm
    result = {
        "benchmark": "vlaser explore: control change to updated plot, in headless Chromium",
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, nproc {os.cpu_count()}, {platform.python_version()}",
        "load_average_before_after": [round(load0[0], 2), round(load1[0], 2)],
        "command": "python benchmarks/bench_explore.py " + " ".join(argv or sys.argv[1:]),
        "map_points_per_axis": int(settings[0]),
        "curve_points": int(settings[1]),
        "first_page_s": round(first_page, 2),
        "target_ms": TARGET_MS,
        "atom_map_101x101 (omega2 changed)": _summary(atom["atom_map"][w:]),
        "atom_map server_ms": _summary(atom["atom_map_server"][w:]),
        "atom_spectrum (same change)": _summary(atom["atom_spectrum"][w:]),
        "laser_curve_100 (g changed)": _summary(laser["laser_curve"][w:]),
        "laser_curve server_ms": _summary(laser["laser_curve_server"][w:]),
        "laser_point + cavity spectrum (same change)": _summary(laser["laser_point"][w:]),
    }
    result["map_under_target"] = (
        result["atom_map_101x101 (omega2 changed)"]["median_ms"] < TARGET_MS
    )
    result["curve_under_target"] = result["laser_curve_100 (g changed)"]["median_ms"] < TARGET_MS
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
