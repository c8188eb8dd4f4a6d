"""Where ``vlaser explore`` listens: host checks and the listening socket (no web imports).

* The default host is loopback only. Any other address needs ``allow_remote`` (the
  CLI's ``--allow-remote``), and then :func:`check_host` returns a warning to print:
  the explorer has no authentication and no encryption.
* :func:`bind` opens the listening socket itself before the web server starts, so a
  port in use (or an address not on this machine) is a clean
  :class:`~vlaser.errors.ParameterError` (the CLI prints ``error: ...`` and exits 2),
  and ``port = 0`` picks a free port whose number the URL then shows.
"""

from __future__ import annotations

import errno
import ipaddress
import socket

from vlaser.errors import ParameterError

#: Default port of ``vlaser explore`` (``--port 0``: any free port).
DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    """True if every address ``host`` names is a loopback address (127/8, ::1).

    Raises:
        ParameterError: If ``host`` cannot be resolved.
    """
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ParameterError("host", host, f"an address of this machine ({exc})") from None
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def check_host(host: str, allow_remote: bool = False) -> str | None:
    """Refuse a non-loopback ``host`` unless ``allow_remote``; then return a warning.

    Returns:
        None for a loopback host, else the warning text to print.

    Raises:
        ParameterError: A non-loopback host without ``allow_remote``.
    """
    if is_loopback(host):
        return None
    if not allow_remote:
        raise ParameterError(
            "host",
            host,
            "a loopback address (127.0.0.1, ::1, localhost); to serve other machines "
            "add --allow-remote",
        )
    return (
        f"warning: serving on {host}, reachable from other machines: anyone who can "
        "reach this port can run computations here (no authentication, no encryption)"
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port = 0``: a free port).

    Raises:
        ParameterError: Port out of range, in use, or the address is not on this machine.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ParameterError("port", port, "a whole number from 0 to 65535 (0: any free port)")
    name = host.strip().strip("[]")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise ParameterError("host", host, f"an address of this machine ({exc})") from None
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        # Lets a restarted explorer reuse a port in TIME_WAIT; on Linux it does not allow
        # binding a port another socket listens on.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            allowed = (
                f"a free port on {host} (this one is in use); choose another with --port, "
                "or --port 0 for any free port"
            )
        else:
            allowed = f"a port that can be opened on {host} ({exc.strerror or exc})"
        raise ParameterError("port", port, allowed) from None
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    """The page's URL for a socket from :func:`bind`."""
    port = sock.getsockname()[1]
    name = host.strip().strip("[]")
    if ":" in name:
        name = f"[{name}]"
    return f"http://{name}:{port}/"


__all__ = ["DEFAULT_PORT", "bind", "check_host", "is_loopback", "url_of"]
