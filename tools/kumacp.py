#!/usr/bin/env python3
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""A real kuma-cp for tests and for people: Universal mode, in-memory store.

kuma-cp runs inside a service network namespace of a lab (tools/lab.py) on the
lab bridge, so that the lab's hosts and the tests reach it at that namespace's
address and no packet leaves namespaces the run created. Inside its own
namespace it keeps Kuma's default ports (5676-5685), so several labs run side
by side without port clashes.

The DP server (5678) serves a certificate signed by a CA this module creates,
so that kuma-dp can be given --ca-cert-file.

CLI (as root):
  kumacp.py up LAB [--version 2.14.3]    start (idempotent) and print JSON facts
  kumacp.py down LAB                     stop it
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lab as labmod  # noqa: E402

SERVICE = "cp"
API_PORT = 5681
DP_PORT = 5678


class KumaUnavailable(Exception):
    """The kuma binaries for a version are not on this machine."""


def kuma_bin_dir(version):
    """Directory with kuma-cp, kuma-dp and kumactl for version, or KumaUnavailable."""
    candidates = []
    if os.environ.get("KUMAOPS_KUMA_BIN_DIR"):
        candidates.append(Path(os.environ["KUMAOPS_KUMA_BIN_DIR"]) / ("kuma-%s" % version) / "bin")
    candidates.append(labmod.CACHE / ("kuma-%s" % version) / "bin")
    for d in candidates:
        if all(os.access(d / b, os.X_OK) for b in ("kuma-cp", "kuma-dp", "kumactl")):
            return d
    why = labmod.CACHE / ("kuma-%s.unavailable" % version)
    if why.exists():
        raise KumaUnavailable(why.read_text().strip())
    raise KumaUnavailable(
        "kuma %s: no kuma-cp/kuma-dp/kumactl in %s (tools/build-kuma.sh builds them from Kuma's Go module; "
        "or set KUMAOPS_KUMA_BIN_DIR to unpacked official releases)" % (version, " or ".join(map(str, candidates))))


def _pki(workdir, address):
    """A CA and a DP-server certificate for address (openssl)."""
    ca_key, ca, key, crt = (workdir / n for n in ("ca.key", "ca.crt", "server.key", "server.crt"))
    if crt.exists():
        return ca, crt, key
    ossl = shutil.which("openssl")
    if not ossl:
        raise labmod.LabError("openssl is missing: apt-get install openssl")
    labmod.run([ossl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=kumaops-lab-ca",
                "-keyout", str(ca_key), "-out", str(ca)])
    csr = workdir / "server.csr"
    labmod.run([ossl, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kuma-control-plane",
                "-keyout", str(key), "-out", str(csr)])
    ext = workdir / "server.ext"
    ext.write_text("subjectAltName=IP:%s,IP:127.0.0.1,DNS:localhost,DNS:kuma-control-plane\n"
                   "extendedKeyUsage=serverAuth\n" % address)
    labmod.run([ossl, "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
                "-days", "30", "-extfile", str(ext), "-out", str(crt)])
    return ca, crt, key


def _get(url, token=None, timeout=2):
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - lab address
        return resp.read()


def up(lab, version="2.14.3", env=None, timeout=90):
    """Start kuma-cp <version> in LAB's `cp` namespace; return its facts."""
    bindir = kuma_bin_dir(version)
    state = labmod.up(lab, [], [SERVICE])
    svc = state["services"][SERVICE]
    address = svc["address"]
    workdir = labmod.lab_dir(lab) / "kuma-cp"
    workdir.mkdir(parents=True, exist_ok=True)
    facts_file = workdir / "facts.json"
    if facts_file.exists():
        facts = json.loads(facts_file.read_text())
        if facts.get("version") == version and _alive(facts.get("pid")):
            return facts
        down(lab)
        workdir.mkdir(parents=True, exist_ok=True)
    ca, crt, key = _pki(workdir, address)
    run_env = dict(os.environ)
    run_env.update({
        "KUMA_ENVIRONMENT": "universal",
        "KUMA_MODE": "zone",
        "KUMA_STORE_TYPE": "memory",
        "KUMA_GENERAL_WORK_DIR": str(workdir / "work"),
        "KUMA_GENERAL_TLS_CERT_FILE": str(crt),
        "KUMA_GENERAL_TLS_KEY_FILE": str(key),
        "KUMA_API_SERVER_HTTP_INTERFACE": "0.0.0.0",
        "KUMA_DIAGNOSTICS_SERVER_PORT": "5680",
    })
    run_env.update(env or {})
    log = open(workdir / "kuma-cp.log", "ab")
    proc = subprocess.Popen(["ip", "netns", "exec", svc["netns"], str(bindir / "kuma-cp"), "run"],
                            env=run_env, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    api = "http://%s:%d" % (address, API_PORT)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise labmod.LabError("kuma-cp %s exited with %s: %s" % (
                version, proc.returncode, (workdir / "kuma-cp.log").read_text(errors="replace")[-1500:]))
        try:
            info = json.loads(_get(api + "/"))
            if info.get("version"):
                break
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise labmod.LabError("kuma-cp %s did not answer at %s within %ds" % (version, api, timeout))
        time.sleep(0.5)
    # The admin token is readable from loopback inside the namespace only
    # (kuma-cp treats localhost as admin).
    token = b""
    while not token and time.monotonic() < deadline:
        out = labmod.run(["ip", "netns", "exec", svc["netns"], "curl", "-sf",
                          "http://127.0.0.1:%d/global-secrets/admin-user-token" % API_PORT], check=False)
        if out.returncode == 0:
            token = base64.b64decode(json.loads(out.stdout)["data"])
        else:
            time.sleep(0.5)
    (workdir / "admin-token").write_bytes(token)
    os.chmod(workdir / "admin-token", 0o600)
    facts = {
        "version": version, "pid": proc.pid, "address": address, "netns": svc["netns"],
        "api_url": api, "dp_server_url": "https://%s:%d" % (address, DP_PORT),
        "ca_cert": str(ca), "admin_token_file": str(workdir / "admin-token"), "bin_dir": str(bindir),
        "log": str(workdir / "kuma-cp.log"),
    }
    facts_file.write_text(json.dumps(facts, indent=2))
    return facts


def _alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def down(lab):
    workdir = labmod.lab_dir(lab) / "kuma-cp"
    facts_file = workdir / "facts.json"
    if facts_file.exists():
        pid = json.loads(facts_file.read_text()).get("pid")
        if _alive(pid):
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                pass
            deadline = time.monotonic() + 15
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
    shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up")
    p.add_argument("lab")
    p.add_argument("--version", default="2.14.3")
    sub.add_parser("down").add_argument("lab")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "up":
            print(json.dumps(up(args.lab, args.version), indent=2))
        else:
            down(args.lab)
    except (KumaUnavailable, labmod.LabError) as e:
        print("kuma-cp: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
