"""The explorer in a real headless Chromium: controls changed as a person would, the
numbers on the page against the API's, an invalid input, superseded requests, exports.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them);
skipped with the reason where they are missing. The server is the real command
``vlaser explore --port 0 --no-browser`` on a free loopback port.

Tolerances: a displayed number has 6 significant digits, so it must equal the API's
value to a relative 5e-6 (half a unit in the 6th digit); the element's ``data-value``
carries the full double and must equal the API's value to a relative 1e-12 (the same
computation, through JSON: in practice bit-identical).
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from vlaser.explore.browser import unavailable_reason

pytestmark = pytest.mark.skipif(
    unavailable_reason() is not None, reason=f"browser tests: {unavailable_reason()}"
)


@pytest.fixture(scope="module")
def explorer():
    from vlaser.explore.browser import ExplorerProcess

    with ExplorerProcess() as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    from vlaser.explore.browser import Browser

    with Browser(1400, 1000) as b:
        yield b


@pytest.fixture
def page(explorer, browser):
    """A freshly loaded page (defaults), its first computation finished."""
    browser.open(explorer.url)
    return browser


def shown(page, key: str) -> tuple[float, float]:
    """(displayed number, full-precision data-value) of a readout entry."""
    text, value = page.readout()[key]
    return float(text), float(value)


def check(page, key: str, api: float) -> None:
    text, value = shown(page, key)
    assert text == pytest.approx(api, rel=5e-6, abs=1e-300), key
    assert value == pytest.approx(api, rel=1e-12, abs=1e-300), key


def test_controls_change_the_numbers_as_the_api_says(page):
    from vlaser.atom import emission_spectrum
    from vlaser.atom import steady_state as atom_steady
    from vlaser.laser import cavity_spectrum
    from vlaser.laser import steady_state as laser_steady
    from vlaser.laser.threshold import threshold
    from vlaser.params import LaserParams
    from vlaser.species import HBAR, get_species

    # Four controls, typed into their fields; each change is computed before the next.
    assert page.set_control("delta3", "-1.5") == "idle"
    assert page.set_control("omega2", "0.6") == "idle"
    assert page.set_control("kappa", "60") == "idle"
    assert page.set_control("species", "sr88") == "idle"

    sr = get_species("sr88")
    g2 = sr.gamma2
    lp = LaserParams(
        delta2=5.0, delta3=-1.5, omega2=0.6, omega3=0.5, gamma2=g2, nu2=10 * g2, nu3=10 * g2,
        atoms=50000, g=2 * g2, kappa=60 * g2,
    )  # fmt: skip
    ap = lp.atom()
    ss = laser_steady(lp)
    cs = cavity_spectrum(lp)
    th = threshold(lp, max_atoms=50000, points=100)
    check(page, "atom-inversion", float(atom_steady(ap).inversion))
    check(page, "emission-line1-position", emission_spectrum(ap).peaks[0].position)
    check(page, "photons", float(ss.photons))
    check(page, "laser-inversion", float(ss.inversion))
    check(page, "fwhm", cs.fwhm / g2)
    check(page, "peak", cs.peak / g2)
    check(page, "threshold", th.threshold_atoms)
    kappa_si = 60 * g2 * sr.gamma3_si
    check(page, "si-power", HBAR * sr.omega_transition(2) * 2 * kappa_si * float(ss.photons))
    check(page, "si-linewidth", cs.fwhm * sr.gamma3_si / (2 * 3.141592653589793))
    assert page.readout()["stable"][0] == "yes"
    # The plots were drawn for these values: the map at 101 x 101 with the point marked.
    z_rows, z_cols, marker = page.driver.execute_script(
        "const d = document.getElementById('plot-atom-map').data;"
        "return [d[0].z.length, d[0].z[0].length, [d[1].x[0], d[1].y[0]]];"
    )
    assert (z_rows, z_cols, marker) == (101, 101, [5, -1.5])
    n_curve = page.driver.execute_script(
        "return document.getElementById('plot-laser-curve').data[0].x.length;"
    )
    assert n_curve == 100
    # The command shown is the one the export gives.
    command = page.driver.find_element("id", "cli-command").text
    assert "--delta3 -1.5 --omega2 0.6 " in command and "--kappa 60g2" in command
    assert "--species sr88" in command


def test_invalid_input_shows_the_package_message(page):
    from vlaser.params import LaserParams

    with pytest.raises(ValueError) as api:
        LaserParams.paper(kappa=-1 / 4266)
    assert page.set_control("kappa", "-1") == "error"
    assert page.error_text() == str(api.value)
    assert "Traceback" not in page.driver.page_source
    assert "invalid" in page.driver.find_element("id", "ctl-kappa").get_attribute("class")
    assert page.set_control("atoms", "lots") == "error"
    assert page.error_text() == "invalid atoms='lots': a number"
    # Fixing the values clears the error and computes again.
    page.set_control("atoms", "50000")
    assert page.set_control("kappa", "50") == "idle"
    assert page.error_text() is None


def test_a_newer_request_supersedes_older_ones(page):
    from vlaser.atom import steady_state
    from vlaser.params import AtomParams

    # A slider dragged: four input events in one go, faster than any computation.
    first = page.seq() + 1
    page.driver.execute_script(
        "const s = document.getElementById('slider-omega2');"
        "for (const v of ['0.55', '0.6', '0.65', '0.7']) {"
        " s.value = v; s.dispatchEvent(new Event('input')); }"
    )
    last = page.seq()
    assert last == first + 3
    assert page.wait_for(last) == "idle"
    assert page.driver.find_element("id", "ctl-omega2").get_attribute("value") == "0.7"
    api = steady_state(AtomParams.paper(omega2=0.7, nu2=10 / 4266, nu3=10 / 4266))
    check(page, "atom-inversion", float(api.inversion))
    # Only the newest request's views were drawn; the older ones were dropped.
    drawn = {t["seq"] for t in page.timings() if t["seq"] >= first}
    assert drawn == {last}


def test_export_links_download_the_current_point(page, explorer):
    page.set_control("atoms", "30000")
    hrefs = {
        k: page.driver.find_element("id", f"export-{k}").get_attribute("href")
        for k in ("cli", "json", "netcdf")
    }
    with urllib.request.urlopen(hrefs["cli"], timeout=120) as r:
        script = r.read().decode()
    assert page.driver.find_element("id", "cli-command").text in script
    with urllib.request.urlopen(hrefs["json"], timeout=120) as r:
        obj = json.loads(r.read())
    assert obj["params"]["atoms"] == 30000
    photons = shown(page, "photons")[1]
    assert obj["results"]["photons"] == pytest.approx(photons, rel=1e-12)
    with urllib.request.urlopen(hrefs["netcdf"], timeout=120) as r:
        assert r.read(4) == b"\x89HDF"
