# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""The Envoy and CoreDNS stand-ins do what the checks rely on, and no more."""

import http.client
import socket
import subprocess
import time

import pytest

from conftest import ROOT, run

ENVOY = str(ROOT / "tests/standins/envoy")
COREDNS = str(ROOT / "tests/standins/coredns")


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def wait_for(pred, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def request(conn, method, path):
    conn.request(method, path)
    resp = conn.getresponse()
    return resp.status, resp.read().decode().strip()


def test_versions_answer_like_the_real_programs():
    out = run([ENVOY, "--version"]).stdout
    assert "version: 0000000000000000000000000000000000000000/1.34.1/Clean/RELEASE/BoringSSL" in out
    assert run([COREDNS, "-version"]).stdout.startswith("CoreDNS-")


@pytest.mark.parametrize("admin", ["unix", "tcp"])
def test_envoy_standin_serves_ready_and_drains_then_exits_on_sigterm(tmp_path, admin):
    sock = tmp_path / "envoy-admin.sock"
    if admin == "unix":
        block = "admin:\n  address:\n    pipe:\n      path: %s\n" % sock
    else:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        block = "admin:\n  address:\n    socketAddress:\n      address: 127.0.0.1\n      portValue: %d\n" % port
    cfg = tmp_path / "bootstrap.yaml"
    cfg.write_text("node:\n  id: default.web-1\n" + block + "staticResources: {}\n")
    args = tmp_path / "args"
    proc = subprocess.Popen([ENVOY, "--config-path", str(cfg), "--drain-time-s", "5"],
                            env={"ENVOY_STANDIN_CMDLINE_FILE": str(args), "PATH": "/usr/bin:/bin"},
                            stderr=subprocess.PIPE, text=True)
    try:
        def conn():
            return UnixHTTPConnection(str(sock)) if admin == "unix" else http.client.HTTPConnection("127.0.0.1", port)

        def up():
            try:
                return request(conn(), "GET", "/ready")[0] == 200
            except OSError:
                return False
        assert wait_for(up), "the admin endpoint never answered"
        assert args.read_text().split() == ["--config-path", str(cfg), "--drain-time-s", "5"]
        assert request(conn(), "GET", "/ready") == (200, "LIVE")
        assert request(conn(), "POST", "/healthcheck/fail") == (200, "OK")
        assert request(conn(), "GET", "/ready") == (503, "DRAINING")
        assert request(conn(), "GET", "/stats")[0] == 404
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0

