"""``vlaser explore``: host and port checks, the CLI's bad input, the served page and
downloads (the real command in a child process, plain HTTP and WebSocket; no browser)."""

from __future__ import annotations

import json
import re
import signal
import socket
import urllib.error
import urllib.request

import pytest

from vlaser.errors import ParameterError
from vlaser.explore import net


def test_loopback_hosts_need_no_flag():
    for host in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"):
        assert net.is_loopback(host), host
        assert net.check_host(host) is None


def test_non_loopback_host_needs_allow_remote_and_warns():
    with pytest.raises(ParameterError, match="loopback address.*--allow-remote"):
        net.check_host("0.0.0.0")
    warning = net.check_host("0.0.0.0", allow_remote=True)
    assert warning.startswith("warning: serving on 0.0.0.0") and "no authentication" in warning


def test_port_in_use_is_a_parameter_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(ParameterError, match=f"invalid port={port}: .*in use"):
            net.bind("127.0.0.1", port)
    with pytest.raises(ParameterError, match="0 to 65535"):
        net.bind("127.0.0.1", 70000)
    sock = net.bind("127.0.0.1", 0)
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", net.url_of(sock, "127.0.0.1"))
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()


def test_cli_port_in_use_exits_2(run_cli):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, out, err = run_cli("explore", "--port", str(port), "--no-browser")
    assert code == 2
    assert err.strip() == (
        f"error: invalid port={port}: a free port on 127.0.0.1 (this one is in use); choose "
        "another with --port, or --port 0 for any free port"
    )
    assert out == ""


def test_cli_remote_host_without_flag_exits_2(run_cli):
    code, out, err = run_cli("explore", "--host", "0.0.0.0", "--port", "0", "--no-browser")
    assert code == 2
    assert err.startswith("error: invalid host='0.0.0.0': a loopback address")
    assert out == ""


def test_cli_without_the_explore_extra_says_how_to_install(run_cli, monkeypatch):
    import vlaser.cli.explore as cmd

    monkeypatch.setattr(cmd, "missing_web_modules", lambda: ["plotly"])
    code, out, err = run_cli("explore", "--port", "0", "--no-browser")
    assert code == 2 and out == ""
    assert err.strip() == (
        "error: vlaser explore needs the explore extra (missing: plotly): "
        "pip install 'vlaser[explore]'"
    )


@pytest.fixture(scope="module")
def server():
    from vlaser.explore.browser import ExplorerProcess

    with ExplorerProcess() as srv:
        yield srv
    # uvicorn shuts down on SIGTERM, then re-raises it: the default exit by that signal
    # (a SIGKILL after the grace period would read -9).
    assert srv.proc.returncode in (-signal.SIGTERM, 128 + signal.SIGTERM), "".join(srv.output)


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_prints_loopback_url_and_serves_everything_locally(server):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.url)
    status, _, page = get(server.url)
    assert status == 200
    html = page.decode()
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/vendor/plotly.min.js" in srcs
    # Every asset comes from this server: no scheme, no protocol-relative address.
    assert all(not re.match(r"^(https?:)?//", s) for s in srcs), srcs
    for s in srcs:
        if s.startswith("/"):
            assert get(server.url.rstrip("/") + s)[0] == 200, s
    status, headers, js = get(server.url + "static/explore.js")
    assert status == 200 and b"http://" not in js and b"https://" not in js


def test_exports(server):
    status, headers, body = get(server.url + "export/cli?delta3=-1.5&species=sr88")
    assert status == 200 and "vlaser-point.sh" in headers["content-disposition"]
    assert "vlaser laser spectrum --delta2 5 --delta3 -1.5 " in body.decode()
    q = "export/json?curve_points=10&map_points=11&atoms=30000"
    status, headers, body = get(server.url + q)
    assert status == 200 and headers["content-type"].startswith("application/json")
    obj = json.loads(body)
    assert obj["params"]["atoms"] == 30000 and obj["results"]["photons"] > 0
    status, headers, body = get(server.url + "export/netcdf?curve_points=10&map_points=11")
    assert status == 200 and body[:4] == b"\x89HDF"  # NetCDF-4 is HDF5
    status, _, body = get(server.url + "export/json?kappa=-1")
    assert status == 400
    assert body.decode() == "error: invalid kappa=-0.00023441162681669012: a finite number > 0\n"


def test_websocket_protocol(server):
    from websockets.sync.client import connect

    ws_url = server.url.replace("http://", "ws://") + "ws"
    with connect(ws_url, open_timeout=30) as ws:
        ws.send(json.dumps({"type": "compute", "seq": 1, "values": {"omega2": "x"}}))
        err = json.loads(ws.recv(timeout=60))
        assert err == {
            "type": "error",
            "message": "invalid omega2='x': a number",
            "control": "omega2",
            "seq": 1,
        }
        values = {"curve_points": "10", "map_points": "11"}
        ws.send(json.dumps({"type": "compute", "seq": 2, "values": values}))
        seen = []
        while True:
            m = json.loads(ws.recv(timeout=120))
            seen.append(m)
            if m["type"] == "done":
                break
        assert {m["seq"] for m in seen} == {2}
        assert seen[0]["type"] == "accepted"
        assert seen[0]["command"].startswith("vlaser laser spectrum --delta2 5 ")
        shown = [m["view"] for m in seen if m["type"] == "view"]
        assert shown == [
            "atom_map",
            "atom_spectrum",
            "laser_curve",
            "laser_point",
            "laser_dynamics",
        ]
        ws.send("not json")
        assert json.loads(ws.recv(timeout=30))["message"] == "malformed request"
