"""``vlaser explore``: an interactive explorer in the browser, a face like the CLI.

The explorer is a local web app over the public API (nothing here is used by the
core, and ``import vlaser`` never imports this package):

* :mod:`vlaser.explore.views` — the controls, their validation (the package's own
  :class:`~vlaser.errors.ParameterError` messages), the computations behind each view
  (inversion map, emission spectrum, photons/inversion against N, cavity spectrum),
  the readout in model and SI units and the exports (CLI command, JSON, NetCDF). No
  web imports.
* :mod:`vlaser.explore.session` — one page's worker: runs the newest request in a
  thread, reports progress, drops superseded requests. No web imports.
* :mod:`vlaser.explore.server` — the Starlette app (page, WebSocket, downloads) served
  by uvicorn; the only module that imports the web libraries (the ``explore`` extra).
* :mod:`vlaser.explore.browser` — headless-Chromium helpers for the tests, the
  benchmark and the README screenshots (selenium, imported lazily).
"""
