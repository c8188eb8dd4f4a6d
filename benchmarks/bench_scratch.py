"""From-scratch laser steady states across atom numbers, this code against a baseline.

Run: ``python benchmarks/bench_scratch.py [--base REV] [--timeout S]``.

For N = 1e3, 1e5, 1e7, 1e9 at the Fig. 7 parameters (ν2 = ν3 = 0 and 10Γ2), each
point is solved in a fresh subprocess by ``vlaser.laser.steady_state`` with its
default settings (dynamics at an unstable point included, as ``vlaser laser steady``
does), after one warm-up solve at N = 10 that loads the compiled kernels; the time of
the measured call alone is printed. The same is done with the source tree of ``--base``
(default: the commit before issue 14's work, 17ee6ab), checked out in a temporary git
worktree and put first on ``PYTHONPATH``, in the same run, interleaved point by point.
A call still running after ``--timeout`` seconds (default 120) is killed and reported
as such.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
import vlaser
from vlaser import DEFAULT_GAMMA2 as G2, LaserParams
from vlaser.laser import steady_state
assert vlaser.__file__.startswith(sys.argv[1]), vlaser.__file__
nu, n = float(sys.argv[2]) * G2, float(sys.argv[3])
steady_state(LaserParams.paper(atoms=10.0), dynamics=False)
t0 = time.perf_counter()
ss = steady_state(LaserParams.paper(atoms=n, nu2=nu, nu3=nu))
dt = time.perf_counter() - t0
print(json.dumps({
    "seconds": dt,
    "photons": float(ss.photons),
    "coherent_photons": float(ss.coherent_photons),
    "converged": bool(ss.converged),
    "method": str(ss.method.item()),
    "stable": bool(ss.stable),
    "physical": bool(ss.physical) if hasattr(ss, "physical") else None,
}))
"""


def run(src: Path, nu: float, n: float, timeout: float) -> dict:
    env = dict(
        os.environ,
        PYTHONPATH=str(src),
        VLASER_CACHE_DIR=os.environ.get(
            "VLASER_CACHE_DIR", str(Path(tempfile.gettempdir()) / "vlaser-bench-cache")
        ),
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(src), str(nu), str(n)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "note": f"killed after {timeout:g} s"}
    except subprocess.CalledProcessError as exc:
        return {"seconds": None, "note": exc.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="17ee6ab")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, nproc {os.cpu_count()}, {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), args.base],
            check=True,
        )
        try:
            rows = []
            for nu in (0.0, 10.0):
                for n in (1e3, 1e5, 1e7, 1e9):
                    row = {"nu_gamma2": nu, "atoms": n}
                    row["before"] = run(base / "src", nu, n, args.timeout)
                    row["after"] = run(ROOT / "src", nu, n, args.timeout)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=True
            )
    print("| ν/Γ2 | N | before (s) | after (s) | after: method, converged, physical |")
    print("|---|---|---|---|---|")
    for r in rows:
        b, a = r["before"], r["after"]
        bs = f"{b['seconds']:.3f}" if b["seconds"] is not None else b["note"]
        as_ = f"{a['seconds']:.3f}" if a["seconds"] is not None else a["note"]
        print(
            f"| {r['nu_gamma2']:g} | {r['atoms']:.0e} | {bs} | {as_} | "
            f"{a.get('method')}, {a.get('converged')}, {a.get('physical')} |"
        )


if __name__ == "__main__":
    main()
