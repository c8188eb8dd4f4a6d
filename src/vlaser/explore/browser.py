"""Driving the explorer in a real headless Chromium (tests, benchmark, screenshots).

Uses Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromium``,
``/usr/bin/chromedriver``; ``VLASER_CHROMIUM`` / ``VLASER_CHROMEDRIVER`` override)
through selenium (the ``test`` extra), with explicit paths so that selenium never
looks for, or downloads, a browser or driver of its own. Chromium runs headless in a
fresh profile with background networking off (this machine reaches no outside host).

:class:`ExplorerProcess` starts the real command ``vlaser explore --port 0
--no-browser`` (a free loopback port) in a child process, reads the URL it prints
and stops it (SIGTERM, then SIGKILL) on exit.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

#: Chromium flags: headless, no sandbox (root in CI), no network beyond the page.
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--hide-scrollbars",
)


def find_chromium() -> tuple[str, str] | None:
    """``(chromium, chromedriver)`` paths, or None where either is missing."""
    browser = os.environ.get("VLASER_CHROMIUM") or next(
        (p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None
    )
    driver = os.environ.get("VLASER_CHROMEDRIVER") or shutil.which("chromedriver")
    if browser and driver and Path(browser).exists() and Path(driver).exists():
        return browser, driver
    return None


def unavailable_reason() -> str | None:
    """Why the browser tests cannot run here (None: they can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    if find_chromium() is None:
        return (
            "no Chromium with ChromeDriver installed (Debian: apt-get install chromium "
            "chromium-driver; .ci/run installs them; or set VLASER_CHROMIUM and "
            "VLASER_CHROMEDRIVER)"
        )
    return None


class Browser:
    """A headless Chromium driven by selenium; use as a context manager.

    Args:
        width, height: Window size in CSS pixels.
    """

    def __init__(self, width: int = 1500, height: int = 1000) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        found = find_chromium()
        if found is None:
            raise RuntimeError(unavailable_reason() or "no Chromium")
        chromium, chromedriver = found
        self._profile = tempfile.mkdtemp(prefix="vlaser-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = chromium
        for flag in CHROMIUM_FLAGS:
            opts.add_argument(flag)
        opts.add_argument(f"--user-data-dir={self._profile}")
        opts.add_argument(f"--window-size={width},{height}")
        # Downloads go to the profile, never to the user's folder.
        opts.add_experimental_option(
            "prefs",
            {"download.default_directory": self._profile, "download.prompt_for_download": False},
        )
        self.driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=opts)
        self.driver.set_script_timeout(60)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Quit Chromium and remove its profile."""
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    # -- the page -------------------------------------------------------------
    def open(self, url: str, timeout: float = 120.0) -> None:
        """Load the page and wait for the first full computation."""
        self.driver.get(url)
        self.wait_for(1, timeout)

    def seq(self) -> int:
        """The page's newest request number."""
        return int(self.driver.execute_script("return seq;"))

    def wait_for(self, seq: int, timeout: float = 60.0) -> str:
        """Wait until request ``seq`` is finished; returns ``"idle"`` or ``"error"``.

        The waiting happens in the page (a 10 ms timer), not by polling over the
        driver, so that it costs the machine nothing while a measurement runs.
        """
        from selenium.common.exceptions import TimeoutException

        self.driver.set_script_timeout(timeout)
        try:
            return str(
                self.driver.execute_async_script(
                    "const [seq, done] = arguments;"
                    "(function check() { const d = document.body.dataset;"
                    " if (Number(d.seq) >= seq && (d.state === 'idle' || d.state === 'error'))"
                    " done(d.state); else setTimeout(check, 10); })();",
                    seq,
                )
            )
        except TimeoutException:
            raise TimeoutError(f"request {seq} not finished within {timeout} s") from None

    def set_control(self, name: str, value: str, wait: bool = True, timeout: float = 60.0) -> str:
        """Type ``value`` into the control's field and leave it (a ``change`` event),
        as a person would; then wait for the result. Returns the final state."""
        from selenium.webdriver.common.keys import Keys

        field = self.driver.find_element("id", f"ctl-{name}")
        if field.tag_name == "select":
            from selenium.webdriver.support.ui import Select

            Select(field).select_by_value(value)
        else:
            field.send_keys(Keys.CONTROL, "a")
            field.send_keys(Keys.DELETE)
            field.send_keys(value, Keys.TAB)
        return self.wait_for(self.seq(), timeout) if wait else ""

    def readout(self) -> dict[str, tuple[str, str]]:
        """Every readout value: id -> (displayed text, full-precision ``data-value``)."""
        rows = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('td[id^=\"ro-\"]'))"
            ".map(td => [td.id.slice(3), td.textContent, td.dataset.value]);"
        )
        return {k: (text, value) for k, text, value in rows}

    def error_text(self) -> str | None:
        """The error box's text, None where it is hidden."""
        return self.driver.execute_script(
            "const e = document.getElementById('error'); return e.hidden ? null : e.textContent;"
        )

    def timings(self) -> list[dict[str, Any]]:
        """``window.vlaserTimings``: per request and view, control change to plot drawn (ms)."""
        return list(self.driver.execute_script("return window.vlaserTimings;"))


class ExplorerProcess:
    """``vlaser explore --port 0 --no-browser`` in a child process; a context manager.

    Attributes:
        url: The page's URL as the command printed it.
        output: What the command printed so far (stdout and stderr).
    """

    def __init__(self, *args: str, timeout: float = 120.0) -> None:
        cmd = [sys.executable, "-m", "vlaser", "explore", "--port", "0", "--no-browser", *args]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        self.output: list[str] = []
        self.url = ""
        found = threading.Event()

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.output.append(line)
                if not self.url and "serving on " in line:
                    self.url = line.split("serving on ", 1)[1].split()[0]
                    found.set()
            found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(timeout) or not self.url:
            self.stop()
            raise RuntimeError("vlaser explore did not start:\n" + "".join(self.output))

    def __enter__(self) -> ExplorerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM (uvicorn shuts down), SIGKILL after ``timeout``; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        return self.proc.returncode


__all__ = ["CHROMIUM_FLAGS", "Browser", "ExplorerProcess", "find_chromium", "unavailable_reason"]
