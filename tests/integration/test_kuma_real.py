# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""The real kuma-cp, kumactl and kuma-dp, for each pinned Kuma version.

These tests need the real binaries (tools/build-kuma.sh). Where they are not
on the machine, each test is reported as SKIPPED with the reason: never as
passed.
"""

import base64
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT, run

pytestmark = [pytest.mark.kuma, pytest.mark.lab]
STANDINS = ROOT / "tests" / "standins"


def api(cp, method, path, body=None):
    req = urllib.request.Request(cp["api_url"] + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + cp["admin_token"]})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            return resp.status, (json.loads(raw) if raw.strip().startswith(b"{") else raw.decode())
    except urllib.error.HTTPError as e:
        raw = e.read()
        return e.code, (json.loads(raw) if raw.strip().startswith(b"{") else raw.decode())


def dataplane(name, port=8080):
    return {"type": "Dataplane", "mesh": "default", "name": name, "networking": {
        "address": "127.0.0.1",
        "inbound": [{"port": port, "servicePort": port + 1,
                     "tags": {"kuma.io/service": "backend", "kuma.io/protocol": "http"}}]}}


def test_dataplane_put_get_delete(kuma_cp):
    assert api(kuma_cp, "PUT", "/meshes/default/dataplanes/dp-crud", dataplane("dp-crud"))[0] == 201
    status, got = api(kuma_cp, "GET", "/meshes/default/dataplanes/dp-crud")
    assert status == 200
    assert got["networking"]["inbound"][0]["port"] == 8080
    assert got["networking"]["inbound"][0]["tags"]["kuma.io/service"] == "backend"
    assert api(kuma_cp, "PUT", "/meshes/default/dataplanes/dp-crud", dataplane("dp-crud", 9090))[0] == 200
    assert api(kuma_cp, "DELETE", "/meshes/default/dataplanes/dp-crud")[0] == 200
    assert api(kuma_cp, "GET", "/meshes/default/dataplanes/dp-crud")[0] == 404


def test_bad_dataplane_gets_400_with_invalid_parameters(kuma_cp):
    bad = dataplane("dp-bad")
    bad["networking"]["inbound"][0]["port"] = 0
    status, body = api(kuma_cp, "PUT", "/meshes/default/dataplanes/dp-bad", bad)
    assert status == 400
    assert {"field": "networking.inbound[0].port", "reason": "port must be in the range [1, 65535]"} in \
        [{"field": p["field"], "reason": p["reason"]} for p in body["invalid_parameters"]]
    assert api(kuma_cp, "GET", "/meshes/default/dataplanes/dp-bad")[0] == 404


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def kumactl_token(kuma_cp, kuma_bin, tmp_path, name):
    env = dict(os.environ, HOME=str(tmp_path))
    run([str(kuma_bin / "kumactl"), "config", "control-planes", "add", "--name", "lab", "--address",
         kuma_cp["api_url"], "--auth-type", "tokens", "--auth-conf", "token=" + kuma_cp["admin_token"],
         "--overwrite"], env=env)
    out = run([str(kuma_bin / "kumactl"), "generate", "dataplane-token", "--name", name, "--mesh", "default",
               "--valid-for", "1h"], env=env)
    return out.stdout.strip()


def test_kumactl_generates_a_dataplane_token(kuma_cp, kuma_bin, tmp_path):
    token = kumactl_token(kuma_cp, kuma_bin, tmp_path, "dp-token")
    c = claims(token)
    assert (c["Name"], c["Mesh"]) == ("dp-token", "default")
    assert 3500 < c["exp"] - c["iat"] < 3700


def start_kuma_dp(kuma_cp, kuma_bin, tmp_path, name, token):
    tok = tmp_path / "token"
    tok.write_text(token)
    os.chmod(tok, 0o600)
    cmdline = tmp_path / "envoy-args"
    log = open(tmp_path / "kuma-dp.log", "w")
    proc = subprocess.Popen(
        [str(kuma_bin / "kuma-dp"), "run", "--cp-address", kuma_cp["dp_server_url"], "--ca-cert-file",
         kuma_cp["ca_cert"], "--name", name, "--mesh", "default", "--dataplane-token-file", str(tok),
         "--binary-path", str(STANDINS / "envoy"), "--dns-coredns-path", str(STANDINS / "coredns"),
         "--work-dir", str(tmp_path / "work")],
        env=dict(os.environ, ENVOY_STANDIN_CMDLINE_FILE=str(cmdline)), stdout=log, stderr=subprocess.STDOUT)
    return proc, cmdline, tmp_path / "kuma-dp.log"


def test_kuma_dp_indirect_bootstrap_is_accepted(kuma_cp, kuma_bin, tmp_path):
    assert api(kuma_cp, "PUT", "/meshes/default/dataplanes/dp-run", dataplane("dp-run"))[0] == 201
    token = kumactl_token(kuma_cp, kuma_bin, tmp_path, "dp-run")
    proc, cmdline, log = start_kuma_dp(kuma_cp, kuma_bin, tmp_path, "dp-run", token)
    try:
        deadline = time.monotonic() + 60
        while not cmdline.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert cmdline.exists(), log.read_text()
        args = cmdline.read_text().split("\n")
        assert "--config-path" in args, args
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        api(kuma_cp, "DELETE", "/meshes/default/dataplanes/dp-run")


def test_kuma_dp_without_a_registered_dataplane_fails_as_kuma_says(kuma_cp, kuma_bin, tmp_path):
    token = kumactl_token(kuma_cp, kuma_bin, tmp_path, "dp-missing")
    proc, cmdline, log = start_kuma_dp(kuma_cp, kuma_bin, tmp_path, "dp-missing", token)
    try:
        deadline = time.monotonic() + 30
        while "Dataplane entity not found" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "Dataplane entity not found" in log.read_text()
        assert not cmdline.exists(), "Envoy must not start without a Dataplane"
    finally:
        proc.terminate()
        proc.wait(timeout=60)
