"""Generate the README's screenshots of ``vlaser explore`` (headless Chromium).

Run: ``python scripts/explore_screenshots.py [--out docs/explore]`` (about 30 s; needs
Debian's ``chromium`` and ``chromium-driver``). Starts the real command ``vlaser
explore --port 0 --no-browser``, drives the page like a person (typing into the
fields) and writes one PNG per view:

* ``explore-page.png`` — the whole page at the paper's Fig. 7(a) point;
* ``explore-atom.png`` — the single-atom view (Fig. 2(a) map with the point, Fig. 4);
* ``explore-laser.png`` — the laser view (Fig. 5 curve with N_th, Fig. 7(a) spectrum);
* ``explore-readout.png`` — the readout with the 88Sr preset (SI units);
* ``explore-unstable.png`` — the laser view at ν = 0 (unstable region, the API's
  refusal and the flagged formal spectrum);
* ``explore-error.png`` — the controls with an invalid κ and the package's message.
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: Hides Plotly's tool bar (it shows on hover) so the pictures are clean.
HIDE_TOOLBAR = (
    "const s = document.createElement('style');"
    "s.textContent = '.modebar { display: none !important; }';"
    "document.head.appendChild(s);"
)


def main(argv: list[str] | None = None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("docs/explore"))
    args = ap.parse_args(argv)

    from vlaser.explore.browser import Browser, ExplorerProcess, unavailable_reason

    why = unavailable_reason()
    if why:
        raise SystemExit(f"cannot take screenshots: {why}")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def shot(b: Browser, element_id: str, name: str) -> None:
        b.driver.execute_script(HIDE_TOOLBAR)
        path = out / name
        b.driver.find_element("id", element_id).screenshot(str(path))
        written.append(path)

    with ExplorerProcess() as srv, Browser(1440, 2000) as b:
        b.open(srv.url)
        b.driver.set_window_size(1440, 1180)
        shot(b, "sidebar-content", "_unused.png")  # first capture settles fonts and layout
        (out / "_unused.png").unlink()
        written.clear()
        b.driver.execute_script(HIDE_TOOLBAR)
        path = out / "explore-page.png"
        b.driver.save_screenshot(str(path))
        written.append(path)
        b.driver.set_window_size(1440, 2000)
        shot(b, "view-atom", "explore-atom.png")
        shot(b, "view-laser", "explore-laser.png")
        b.set_control("species", "sr88")
        shot(b, "view-readout", "explore-readout.png")
        b.set_control("species", "")
        b.set_control("nu", "0")
        shot(b, "view-laser", "explore-unstable.png")
        b.set_control("nu", "10")
        b.set_control("kappa", "-5")
        shot(b, "sidebar-content", "explore-error.png")
    for p in written:
        print(p)
    return written


if __name__ == "__main__":
    main()
