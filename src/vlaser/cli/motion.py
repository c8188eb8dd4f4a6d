"""``vlaser motion``: semiclassical quantum-jump trajectories with atomic motion (Sec. IV).

Commands:

* ``run``: many trajectories of a V atom in the two perpendicular standing-wave pumps;
  prints the final kinetic energies E_i = <p_i²>/2m and temperatures k_B T_i = <p_i²>/m
  per pump axis (units of ħΓ3), the inversion and the jump statistics; ``--out`` stores
  every trajectory's time traces (``.nc`` or ``.zarr``, resumable: the shared scan
  grammar ``--workers``, ``--scheduler``, ``--dask``, ``--resume``, ``--quiet``).
* ``doppler``: the Doppler FWHM of eq. (16) on the narrow line for a temperature.

Pump options as in ``vlaser atom`` (defaults: the paper's lasing point Δ2 = 5, Δ3 = −1,
Ω2 = Ω3 = 0.5; rates in units of Γ3 or with suffix ``g2``). ``--species`` sets the
recoil frequencies and k3/k2 (default 88Sr, mass 87.906 u) and Γ2/Γ3 from the preset's
measured linewidths; without it Γ2 = Γ3/4266.
"""

from __future__ import annotations

from typing import Annotated

import typer

from vlaser.cli import scanopts as so
from vlaser.cli.atom import AtomOptions, atom_command, atom_values
from vlaser.cli.common import emit_json

Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def run_cmd(
    scan: so.ScanRun,
    trajectories: int = typer.Option(500, "--trajectories", help="Number of trajectories."),
    time: float = typer.Option(20000.0, "--time", help="Duration in units of 1/Γ3."),
    seed: int = typer.Option(1, "--seed", help="Master seed (SeedSequence)."),
    dt: float | None = typer.Option(
        None, "--dt", help="Largest step (1/Γ3); default 1.2/‖H_eff‖, refused above 3.5/‖H_eff‖."
    ),
    samples: int = typer.Option(201, "--samples", help="Number of sample times."),
    p0: float = typer.Option(100.0, "--p0", help="Initial momentum per axis, units of ħk_i."),
    phase0: float = typer.Option(0.0, "--phase0", help="Initial k_i r_i (rad); 0: antinode."),
    atom: AtomOptions = None,
    as_json: Json = False,
) -> None:
    """Trajectories of a moving V atom: kinetic energy, temperature, inversion.

    Runs on the shared scan layer (solver motion.trajectories, one grid point per
    trajectory): --out stores every trajectory's time traces chunk by chunk (.nc or
    .zarr), resumable with --resume, on local processes (--workers) or Dask. The
    summary is computed from the stored trajectories.
    """
    from vlaser.scan.motion import motion_result, trajectory_grid

    species, given = atom
    fixed: dict[str, float] = {**atom_values(species, given), "p0": p0, "phase0": phase0}
    grid = trajectory_grid(trajectories)
    options = {
        "t_max": time,
        "samples": samples,
        "seed": seed,
        "dt": dt,
        "species": species or "sr88",
    }
    ds = scan.run(
        "motion.trajectories",
        grid,
        fixed,
        options=options,
        description="trajectories",
        quiet=as_json,
    )
    summary = motion_result(ds).summary()
    ds.close()
    if scan.out is not None:
        summary["out"] = str(scan.out)
    if as_json:
        emit_json(summary)
        return
    e, t = summary["kinetic_energy"], summary["kbt"]
    typer.echo(f"t = {time:g}/Γ3, {trajectories} trajectories (seed {seed})")
    typer.echo(f"kinetic energy E2, E3 = {e[0]:.4g}, {e[1]:.4g} ħΓ3")
    typer.echo(f"k_B T2, k_B T3       = {t[0]:.4g}, {t[1]:.4g} ħΓ3")
    typer.echo(f"inversion (50-sample mean) = {summary['inversion_mean']:.4f}")


def doppler_cmd(
    kbt: float = typer.Option(..., "--kbt", help="Temperature k_B T in units of ħΓ3."),
    species: str = typer.Option("sr88", "--species", help="Species preset: sr88, yb174, ca40."),
    mass_u: float | None = typer.Option(
        None, "--mass-u", help="Mass in u instead of the preset's (eq. 16 uses 87 u)."
    ),
    as_json: Json = False,
) -> None:
    """Doppler FWHM of eq. (16) on the narrow line, in units of Γ3 and Γ2."""
    from vlaser.motion.doppler import doppler_fwhm
    from vlaser.species import get_species

    sp = get_species(species)
    width = doppler_fwhm(kbt, sp, mass_u=mass_u)
    out = {
        "doppler_fwhm": width,
        "doppler_fwhm_gamma2": width / sp.gamma2,
        "kbt": kbt,
        "kelvin": sp.kbt_to_kelvin(kbt),
        "species": sp.name,
        "mass_u": sp.mass_u if mass_u is None else mass_u,
    }
    if as_json:
        emit_json(out)
        return
    typer.echo(
        f"Doppler FWHM on the {sp.label} narrow line at k_B T = {kbt:g} ħΓ3: "
        f"{width:.4g} Γ3 = {out['doppler_fwhm_gamma2']:.4g} Γ2"
    )


def register(app: typer.Typer) -> None:
    """Add the ``motion`` sub-commands to the root app."""
    sub = typer.Typer(help="Atomic motion: quantum-jump trajectories, Doppler cooling (Sec. IV).")
    sub.command("run")(atom_command(so.scan_command()(run_cmd)))
    sub.command("doppler")(doppler_cmd)
    app.add_typer(sub, name="motion")
