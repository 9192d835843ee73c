"""Dask door: scheduler addresses that are garbage, in-process, unreachable or not a Dask scheduler; a scheduler
with another executor; TLS options; workers whose checkout differs from the driver's. Network: 127.0.0.1 only."""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pytest

from dezsim.base.errors import DezsimError
from dezsim.model.config import Scenario
from dezsim.sweep import make
from dezsim.sweep.execute import ChunkTask, compute_chunk

from .helpers_b import KEEP, PARAMS, cli, tiny_sweep


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("address", ["garbage", "inproc://x", "tcp://", "tcp://127.0.0.1", "udp://127.0.0.1:1",
                                     "tcp://127.0.0.1:99999", "tcp://127.0.0.1:8786/path"])
def test_a_garbage_scheduler_address_is_one_line(tmp_path, address):
    rc, err = cli("sweep", "--out", str(tmp_path / "s"), "-n", "4", "--executor", "dask", "--scheduler", address)
    assert rc == 2 and "not an address of a Dask scheduler" in err and "tcp://HOST:PORT or tls://HOST:PORT" in err
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("executor", ["inprocess", "processes"])
def test_a_scheduler_with_another_executor_is_an_error(tmp_path, executor):
    rc, err = cli("sweep", "--out", str(tmp_path / "s"), "-n", "4", "--executor", executor,
                  "--scheduler", "tcp://127.0.0.1:8786")
    assert rc == 2 and f"with --executor {executor}: a scheduler is used by --executor dask only" in err


def test_an_unreachable_scheduler_is_one_line_within_seconds(tmp_path):
    start = time.monotonic()
    rc, err = cli("sweep", "--out", str(tmp_path / "s"), "-n", "4", "--executor", "dask",
                  "--scheduler", f"tcp://127.0.0.1:{free_port()}")
    assert rc == 2 and "unreachable" in err and time.monotonic() - start < 10
    assert not (tmp_path / "s").exists()


class Server:
    """A TCP server on 127.0.0.1 that answers every connection with ``reply`` (or nothing) and keeps it open."""

    def __init__(self, reply: bytes | None) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.reply, self.stop, self.conns = reply, False, []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.sock.getsockname()[1]}"

    def serve(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.conns.append(conn)
            if self.reply is not None:
                conn.sendall(self.reply)

    def close(self) -> None:
        self.stop = True
        self.thread.join(2)
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.mark.parametrize("reply", [b"HTTP/1.1 400 Bad Request\r\n\r\n", b"\xff" * 64, b"SSH-2.0-OpenSSH_9\r\n"])
def test_a_server_that_is_not_a_dask_scheduler_is_one_line(tmp_path, reply):
    server = Server(reply)
    try:
        start = time.monotonic()
        rc, err = cli("sweep", "--out", str(tmp_path / "s"), "-n", "4", "--executor", "dask",
                      "--scheduler", server.address)
    finally:
        server.close()
    assert rc == 2 and "is not a Dask scheduler" in err and time.monotonic() - start < 10


def test_a_silent_server_is_one_line_within_the_connect_timeout(tmp_path, monkeypatch):
    from dezsim.sweep import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    server = Server(None)
    try:
        start = time.monotonic()
        rc, err = cli("sweep", "--out", str(tmp_path / "s"), "-n", "4", "--executor", "dask",
                      "--scheduler", server.address)
    finally:
        server.close()
    assert rc == 2 and "no answer within 1 s" in err and time.monotonic() - start < 5


@pytest.mark.parametrize("args, words", [
    (["--scheduler", "tls://127.0.0.1:8786"], "--tls-ca is required for a tls:// scheduler"),
    (["--scheduler", "tls://127.0.0.1:8786", "--tls-ca", "/no/ca.pem", "--tls-cert", "/no/c.pem",
      "--tls-key", "/no/k.pem"], "--tls-ca /no/ca.pem: no such file"),
    (["--scheduler", "tcp://127.0.0.1:8786", "--tls-ca", "/no/ca.pem"], "TLS certificates given for a tcp://"),
    (["--tls-ca", "/no/ca.pem"], "only for a tls:// --scheduler"),
])
def test_tls_options_are_checked(tmp_path, args, words):
    rc, err = cli("sweep", "--out", str(tmp_path / "s"), "-n", "4", "--executor", "dask", *args)
    assert rc == 2 and words in err


def _task(identity: dict) -> ChunkTask:
    design = make("lhs", PARAMS, 4, 1)
    return ChunkTask(0, "x", Scenario(name="t", end=2022).model_dump(), design, 0, None, KEEP, identity)


@pytest.mark.parametrize("field, words", [("data_hash", "data digest"), ("calibration", "calibration digest"),
                                          ("code_version", "code version")])
def test_a_worker_with_another_checkout_refuses_before_computing(monkeypatch, field, words):
    from dezsim.data.loader import load
    from dezsim.model import simulate
    from dezsim.sweep.execute import local_identity

    mine, _ = local_identity(load())
    monkeypatch.setattr(simulate, "simulate_design", lambda *a, **k: pytest.fail("computed anyway"))
    with pytest.raises(DezsimError, match=rf"chunk 0: {words} other in the sweep, .{{1,12}} in the worker on "):
        compute_chunk(_task(mine | {field: "other"}))


@pytest.fixture(scope="module")
def other_data(tmp_path_factory):
    """A copy of data/ whose content (hence digest) differs: one unit's description edited."""
    from dezsim.data.dataset import default_root

    dest = tmp_path_factory.mktemp("data") / "data"
    shutil.copytree(default_root(), dest)
    units = dest / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace("Ten thousand yuan", "Ten thousand yuan (copy)"),
                     encoding="utf-8")
    return dest


def test_a_dask_worker_with_other_data_makes_the_driver_fail(tmp_path, other_data):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1", env={"DEZSIM_DATA": str(other_data)}) as cluster:
        with pytest.raises(DezsimError, match=r"data digest [0-9a-f]{12} in the sweep, [0-9a-f]{12} in the worker"):
            tiny_sweep(tmp_path / "s", executor="dask", scheduler=cluster.scheduler_address)
    assert not list((tmp_path / "s" / "chunks").glob("chunk-*.parquet"))


def _certificates(folder) -> dict:
    """A CA and one certificate it signs for 127.0.0.1 (scheduler, workers and client share it in the test)."""
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    run = lambda *a: subprocess.run(["openssl", *a], cwd=folder, check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
        "-subj", "/CN=test-ca")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "req.csr", "-subj", "/CN=127.0.0.1")
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "req.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "cert.pem", "-days", "1", "-extfile", "ext.cnf")
    return {k: str(folder / v) for k, v in (("ca", "ca.pem"), ("cert", "cert.pem"), ("key", "key.pem"))}


@pytest.mark.slow
def test_a_tls_scheduler_with_certificates_runs_the_sweep(tmp_path, monkeypatch):
    from distributed import LocalCluster
    from distributed.security import Security

    from dezsim.sweep import cluster as dz_cluster

    monkeypatch.setattr(dz_cluster, "CONNECT_TIMEOUT", 1.0)
    pem = _certificates(tmp_path)
    sec = Security(tls_ca_file=pem["ca"], tls_scheduler_cert=pem["cert"], tls_scheduler_key=pem["key"],
                   tls_worker_cert=pem["cert"], tls_worker_key=pem["key"], tls_client_cert=pem["cert"],
                   tls_client_key=pem["key"], require_encryption=True)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1", protocol="tls://", security=sec) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tls://127.0.0.1:")
        rc, err = cli("sweep", "--out", str(tmp_path / "s"), "-n", "4", "--no-agents", "--indicators", "gdp",
                      "--regions", "suzhou", "--executor", "dask", "--scheduler", address, "--tls-ca", pem["ca"],
                      "--tls-cert", pem["cert"], "--tls-key", pem["key"])
        assert rc == 0, err
        rc, err = cli("sweep", "--out", str(tmp_path / "plain"), "-n", "4", "--executor", "dask",
                      "--scheduler", address.replace("tls://", "tcp://"))
        assert rc == 2 and "no answer within 1 s" in err  # a TLS server waits for the client's hello
