"""The explorer's web app: Starlette (ASGI) served by uvicorn, Plotly.js in the page.

Routes:

* ``GET /`` — the page (``static/index.html`` with the controls' configuration
  inlined); ``/static/*`` its script and style; ``/vendor/plotly.min.js`` the plotting
  library, served from the installed ``plotly`` package's bundled copy (no CDN: the
  page loads nothing from outside this server);
* ``WS /ws`` — the page sends ``{"type": "compute", "seq": n, "values": {...},
  "drawn": {view: key}}`` on every control change; the server answers with the messages of
  :class:`vlaser.explore.session.Session` (one worker thread per page; a newer request
  supersedes an older one, progress is reported, the event loop never computes);
* ``GET /export/cli|json|netcdf?<values>`` — the current point as the equivalent
  ``vlaser`` commands, a JSON file or a NetCDF file (attachments); invalid values give
  ``400`` with the package's error message.

Only this module imports the web libraries (the ``explore`` extra).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from vlaser.errors import VlaserError
from vlaser.explore import views
from vlaser.explore.session import Session

STATIC = Path(__file__).parent / "static"


def plotly_js() -> Path:
    """Path of ``plotly.min.js`` bundled with the installed ``plotly`` package.

    Raises:
        VlaserError: If the package (part of the ``explore`` extra) is missing.
    """
    spec = importlib.util.find_spec("plotly")
    if spec is not None and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            path = Path(root) / "package_data" / "plotly.min.js"
            if path.is_file():
                return path
    raise VlaserError(
        "vlaser explore needs plotly.js from the 'plotly' package: pip install 'vlaser[explore]'"
    )


async def _index(request: Request) -> HTMLResponse:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    config = json.dumps(views.page_config(), ensure_ascii=False).replace("</", "<\\/")
    return HTMLResponse(html.replace("__VLASER_CONFIG__", config))


async def _plotly(request: Request) -> FileResponse:
    return FileResponse(
        plotly_js(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


async def _socket(ws: WebSocket) -> None:
    await ws.accept()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def emit(msg: dict[str, Any]) -> None:  # from the worker thread
        with contextlib.suppress(RuntimeError):  # loop closed: the page is gone
            loop.call_soon_threadsafe(queue.put_nowait, msg)

    session = Session(emit)

    async def sender() -> None:
        while True:
            msg = await queue.get()
            await ws.send_text(json.dumps(msg, allow_nan=False, ensure_ascii=False))

    task = asyncio.create_task(sender())
    try:
        while True:
            text = await ws.receive_text()
            try:
                msg = json.loads(text)
                if msg.get("type") == "compute":
                    session.submit(
                        int(msg["seq"]), dict(msg.get("values") or {}), msg.get("drawn") or {}
                    )
            except (ValueError, TypeError, KeyError, AttributeError):
                await ws.send_text(json.dumps({"type": "error", "message": "malformed request"}))
    except WebSocketDisconnect:
        pass
    finally:
        task.cancel()
        await asyncio.to_thread(session.close, 2.0)


_EXPORTS: dict[str, tuple[str, str]] = {
    "cli": ("text/x-shellscript; charset=utf-8", "vlaser-point.sh"),
    "json": ("application/json", "vlaser-point.json"),
    "netcdf": ("application/x-netcdf", "vlaser-point.nc"),
}


def _export(request: Request) -> Response:  # sync: Starlette runs it in a thread pool
    kind = request.path_params["kind"]
    if kind not in _EXPORTS:
        return PlainTextResponse(f"error: unknown export {kind!r}\n", status_code=404)
    try:
        point = views.parse_point(dict(request.query_params))
        if kind == "cli":
            body: bytes = views.cli_script(point).encode()
        elif kind == "json":
            obj = views.export_json(point)
            body = (json.dumps(obj, indent=1, allow_nan=False, ensure_ascii=False) + "\n").encode()
        else:
            body = views.export_netcdf(point)
    except VlaserError as exc:
        return PlainTextResponse(f"error: {exc}\n", status_code=400)
    media, filename = _EXPORTS[kind]
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def create_app() -> Starlette:
    """The explorer's ASGI application."""
    plotly_js()  # fail early, with the install hint, if the extra is missing
    return Starlette(
        routes=[
            Route("/", _index),
            Route("/vendor/plotly.min.js", _plotly),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
            WebSocketRoute("/ws", _socket),
            Route("/export/{kind}", _export),
        ]
    )


def warm_up() -> None:
    """Load the solvers (cumulant equations, numba kernels) before the first request."""
    views.compute_all(views.parse_point({"curve_points": 8, "map_points": 11}))


def serve(
    sock: socket.socket,
    url: str,
    open_browser: bool = True,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve the explorer on a listening socket until interrupted (Ctrl-C, SIGTERM).

    Args:
        sock: From :func:`vlaser.explore.net.bind`.
        url: The page's URL (printed, and opened in a browser unless ``open_browser``
            is false).
        echo: Prints one line.
    """
    import uvicorn

    app = create_app()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    threading.Thread(target=warm_up, name="vlaser-warm-up", daemon=True).start()
    echo(f"vlaser explore: serving on {url}  (Ctrl-C to stop)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        sys.stdout.flush()


__all__ = ["create_app", "plotly_js", "serve", "warm_up"]
