"""Connecting to a running Dask scheduler: address check, TLS security, a quick probe, a bounded connect.

Why a probe: Dask's wire protocol starts with an 8-byte frame length, so a server that is not a Dask scheduler
(an HTTP server, anything answering text) makes the client try to allocate exabytes; and an unreachable address
makes it retry for 30 s. A plain socket reading the scheduler's first 8 bytes (a listener sends its handshake
first) settles both within the connect timeout, before Dask is involved.
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path
from urllib.parse import urlsplit

from dezsim.base.errors import ConfigError, DezsimError

SCHEMES = ("tcp", "tls")
#: Seconds to wait for a scheduler to accept and answer (a reachable scheduler answers in milliseconds).
CONNECT_TIMEOUT = 5.0
#: Largest plausible size of the frame header of a scheduler's handshake (it is a few hundred bytes).
MAX_HANDSHAKE_HEADER = 1 << 20


def parse_address(address: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of ``tcp://HOST:PORT`` or ``tls://HOST:PORT``; anything else is a ConfigError."""
    allowed = "allowed: tcp://HOST:PORT or tls://HOST:PORT"
    try:
        parts = urlsplit(address)
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
        parts = None
    if parts is None or parts.scheme not in SCHEMES or not host or port is None or parts.path not in ("", "/"):
        raise ConfigError(f"sweep --scheduler {address!r}: not an address of a Dask scheduler on the network; "
                          f"{allowed}")
    return parts.scheme, host, port


def security(address: str, ca: Path | None, cert: Path | None, key: Path | None):
    """Dask ``Security`` for a ``tls://`` address (None for ``tcp://``); certificate files must exist."""
    scheme = parse_address(address)[0]
    given = {"--tls-ca": ca, "--tls-cert": cert, "--tls-key": key}
    if scheme == "tcp":
        if any(v is not None for v in given.values()):
            raise ConfigError(f"sweep --scheduler {address}: TLS certificates given for a tcp:// address; use "
                              "tls://HOST:PORT (or drop --tls-ca/--tls-cert/--tls-key)")
        return None
    for option, path in given.items():
        if path is None:
            raise ConfigError(f"sweep --scheduler {address}: {option} is required for a tls:// scheduler "
                              "(allowed: a PEM file)")
        if not Path(path).is_file():
            raise ConfigError(f"sweep {option} {path}: no such file (allowed: a PEM file)")
    from distributed.security import Security

    return Security(tls_ca_file=str(ca), tls_client_cert=str(cert), tls_client_key=str(key),
                    require_encryption=True)


def probe(address: str, timeout: float | None = None) -> None:
    """Refuse, in one line and within ``timeout`` seconds (default :data:`CONNECT_TIMEOUT`), an address where
    no Dask scheduler answers."""
    scheme, host, port = parse_address(address)
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            if scheme == "tls":
                return  # the TLS handshake in Dask's connect checks the peer; nothing to read in clear text
            head = _read(sock, 8)
    except TimeoutError:
        raise DezsimError(f"sweep --scheduler {address}: no answer within {timeout:g} s (not a Dask scheduler, "
                          "or a firewall drops the connection)") from None
    except OSError as exc:
        raise DezsimError(f"sweep --scheduler {address}: unreachable ({exc.strerror or exc})") from None
    if len(head) < 8 or struct.unpack("Q", head)[0] > MAX_HANDSHAKE_HEADER:
        raise DezsimError(f"sweep --scheduler {address}: the server there is not a Dask scheduler (its first bytes "
                          f"{head[:8]!r} are not a Dask handshake)")


def _read(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        more = sock.recv(n - len(data))
        if not more:
            break
        data += more
    return data


def connect(address: str, sec=None, timeout: float | None = None):
    """A ``distributed.Client`` on ``address`` after a :func:`probe`; failures are one-line DezsimErrors."""
    from distributed import Client

    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    probe(address, timeout)
    try:
        return Client(address, security=sec, timeout=timeout)
    except (OSError, TimeoutError, MemoryError, ValueError) as exc:
        text = " ".join(str(exc).split())[:160]
        raise DezsimError(f"sweep --scheduler {address}: could not connect ({type(exc).__name__}: {text})") \
            from None
