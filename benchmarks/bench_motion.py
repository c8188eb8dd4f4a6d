"""Benchmark of the motion trajectories (vlaser.motion) against QuTiP's mcsolve.

Run: ``python benchmarks/bench_motion.py [--full]``, or
``python benchmarks/bench_motion.py --kernel [--trajectories M] [--time T] [--repeat R]``
for the trajectory kernel alone (section 4; about 30 s with the defaults).

1. The same internal dynamics without motion (atom frozen at the antinode, the paper's
   lasing point with ν2 = ν3 = Γ2), 500 trajectories to t = 200/Γ3, sampled at 201
   times: wall time of ``vlaser.motion.simulate`` (compiled, warm) and of
   ``qutip.mcsolve`` (serial map), as trajectory-time per second and their ratio;
   the two inversions are compared within their error bars.
2. The full model with motion (88Sr recoil, p0 = 100 ħk): trajectory-time per second.
3. The Fig. 8 computation: quick mode; full mode only with ``--full``.
4. ``--kernel``: ns of CPU per trajectory per 1/Γ3 at the Fig. 8 lasing point with
   motion (Δ2 = 5, Δ3 = −1, Ω2 = Ω3 = 0.5, ν2 = ν3 = Γ2, 88Sr recoil, p0 = 100 ħk,
   default step), M trajectories to T through ``vlaser.motion.simulate``, with numba
   limited to 1 thread and with 2 threads: the best of R runs of wall time divided by
   M·T (for 1 thread also the process CPU time). It uses only the public API, so the
   same command times another checkout (``PYTHONPATH=other/src``).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numba
import numpy as np
import qutip

from vlaser.motion import simulate
from vlaser.params import DEFAULT_GAMMA2, AtomParams

M = 500
T = 200.0
SAMPLES = 201


def _qutip(p: AtomParams, times: np.ndarray) -> tuple[float, np.ndarray]:
    b = [qutip.basis(3, k) for k in range(3)]

    def s(i: int, j: int) -> qutip.Qobj:
        return b[i - 1] * b[j - 1].dag()

    h = -p.delta2 * s(2, 2) - p.delta3 * s(3, 3)
    h += p.omega2 * (s(2, 1) + s(1, 2)) + p.omega3 * (s(3, 1) + s(1, 3))
    c_ops = [np.sqrt(p.gamma2) * s(1, 2), np.sqrt(p.gamma3) * s(1, 3)]
    c_ops += [np.sqrt(p.nu2) * s(2, 2), np.sqrt(p.nu3) * s(3, 3)]
    opts = {"map": "serial", "progress_bar": False, "keep_runs_results": False}
    t0 = time.perf_counter()
    res = qutip.mcsolve(
        h, b[0], times, c_ops, e_ops=[s(2, 2) - s(1, 1)], ntraj=M, seeds=1, options=opts
    )
    return time.perf_counter() - t0, np.real(np.asarray(res.expect[0]))


def kernel(trajectories: int, t_max: float, repeat: int) -> None:
    """Section 4: ns per trajectory per 1/Γ3 at the Fig. 8 lasing point, 1 and 2 threads."""
    import vlaser
    from vlaser.figures import fig8

    p = AtomParams(**fig8.LASING, nu2=DEFAULT_GAMMA2, nu3=DEFAULT_GAMMA2)
    kw = dict(trajectories=trajectories, t_max=t_max, seed=fig8.SEED, p0=fig8.P0, samples=201)
    simulate(p, trajectories=2, t_max=10.0)  # compile / load the cache
    print(f"vlaser from {os.path.dirname(vlaser.__file__)}")
    scale = 1e9 / (trajectories * t_max)
    for threads in (1, 2):
        if threads > numba.config.NUMBA_NUM_THREADS:
            print(f"  {threads} threads: not available (NUMBA_NUM_THREADS)")
            continue
        numba.set_num_threads(threads)
        wall, cpu = [], []
        for _ in range(repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            r = simulate(p, **kw)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        line = f"  {threads} thread(s): {min(wall) * scale:7.0f} ns/(trajectory·1/Γ3) wall"
        if threads == 1:
            line += f", {min(cpu) * scale:7.0f} CPU"
        print(line + f"  (runs: {', '.join(f'{x * scale:.0f}' for x in wall)})")
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    print(
        f"  {trajectories} trajectories to {t_max:g}/Γ3, dt = {r.setup.dt:.4f}/Γ3, "
        f"jumps per trajectory {r.jumps.sum() / trajectories:.1f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="also time the full Fig. 8 run")
    ap.add_argument("--kernel", action="store_true", help="only the trajectory kernel (4.)")
    ap.add_argument("--trajectories", type=int, default=300, help="--kernel: trajectories")
    ap.add_argument("--time", type=float, default=3000.0, help="--kernel: t_max (1/Γ3)")
    ap.add_argument("--repeat", type=int, default=3, help="--kernel: runs, best taken")
    args = ap.parse_args()
    if args.kernel:
        print(
            f"machine: {platform.machine()}, nproc {os.cpu_count()}, "
            f"date {time.strftime('%Y-%m-%d %H:%M')}"
        )
        kernel(args.trajectories, args.time, args.repeat)
        return
    print(
        f"machine: {platform.machine()}, nproc {os.cpu_count()}, numba threads "
        f"{numba.get_num_threads()}, date {time.strftime('%Y-%m-%d')}"
    )
    p = AtomParams.paper(nu2=DEFAULT_GAMMA2, nu3=DEFAULT_GAMMA2)
    simulate(p, trajectories=2, t_max=1.0, recoil=(0, 0))  # compile / load the cache
    t0 = time.perf_counter()
    r = simulate(p, trajectories=M, t_max=T, seed=1, samples=SAMPLES, recoil=(0, 0))
    t_v = time.perf_counter() - t0
    numba.set_num_threads(1)
    t0 = time.perf_counter()
    simulate(p, trajectories=M, t_max=T, seed=1, samples=SAMPLES, recoil=(0, 0))
    t_v1 = time.perf_counter() - t0
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    t_q, inv_q = _qutip(p, r.times)
    inv_v, err_v = r.inversion()
    steps = M * T / r.setup.dt + r.jumps.sum()
    print(f"frozen, {M} trajectories to t = {T:g}/Γ3 (dt = {r.setup.dt:.3f}):")
    print(
        f"  vlaser.motion  {t_v:8.2f} s  {M * T / t_v:10.3g} traj·(1/Γ3)/s  "
        f"{steps / t_v:10.3g} steps/s"
    )
    print(f"  vlaser, 1 thread {t_v1:6.2f} s  {M * T / t_v1:10.3g} traj·(1/Γ3)/s")
    print(f"  qutip.mcsolve  {t_q:8.2f} s  {M * T / t_q:10.3g} traj·(1/Γ3)/s (serial)")
    print(f"  ratio qutip/vlaser = {t_q / t_v:.1f} (all threads), {t_q / t_v1:.1f} (1 thread)")
    z = np.abs(inv_v[-1] - inv_q[-1]) / err_v[-1]
    print(
        f"  final inversion vlaser {inv_v[-1]:.4f} ± {err_v[-1]:.4f}, qutip {inv_q[-1]:.4f} "
        f"(|Δ|/σ = {z:.2f})"
    )
    t0 = time.perf_counter()
    rm = simulate(p, trajectories=100, t_max=2000.0, seed=1, samples=21)
    t_m = time.perf_counter() - t0
    print(
        f"with motion, 100 trajectories to t = 2000/Γ3: {t_m:.2f} s, "
        f"{100 * 2000 / t_m:.3g} traj·(1/Γ3)/s, E3 = {rm.kinetic_energy()[0][-1, 1]:.3f}"
    )
    from vlaser.figures import fig8

    t0 = time.perf_counter()
    fig8.compute(quick=True)
    print(f"fig8.compute(quick=True): {time.perf_counter() - t0:.1f} s")
    if args.full:
        t0 = time.perf_counter()
        fig8.compute(quick=False)
        print(f"fig8.compute(quick=False): {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
