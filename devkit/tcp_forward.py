"""A Postgres on a Unix socket, reachable over TCP: what a compose file's URL needs.

docker-compose.yaml names its databases by host and port (``postgres://...@postgres/airflow``),
and a socket directory does not fit in a URL's host; the embedded Postgres the suite uses by
default listens on a socket only. :func:`tcp_conninfo` gives such a conninfo a TCP port on
127.0.0.1 that forwards each connection to the socket, so the file's URLs map to it as to
any other server; a TCP conninfo is returned as it is.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from collections.abc import Iterator

from psycopg.conninfo import conninfo_to_dict, make_conninfo


@contextlib.contextmanager
def tcp_conninfo(conninfo: str) -> Iterator[str]:
    """``conninfo`` over TCP, forwarded while the block runs when it names a socket directory."""
    params = conninfo_to_dict(conninfo)
    host = str(params.get("host") or "")
    if not host.startswith("/"):
        yield conninfo
        return
    socket_path = f"{host}/.s.PGSQL.{params.get('port') or 5432}"
    with _forwarding(socket_path) as port:
        yield make_conninfo(conninfo, host="127.0.0.1", port=port)


@contextlib.contextmanager
def _forwarding(socket_path: str) -> Iterator[int]:
    class Forward(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with socket.socket(socket.AF_UNIX) as upstream:
                upstream.connect(socket_path)
                back = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
                back.start()
                _pump(self.request, upstream)
                back.join()

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Forward)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    """Copy ``source`` to ``target`` until ``source`` closes, then close ``target``'s writing side."""
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)
