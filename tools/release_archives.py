#!/usr/bin/env python3
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Kuma-layout release archives for tests, and an HTTP server for them.

Assembles <product>-<version>-linux-<arch>.tar.gz holding
<product>-<version>/bin/{kuma-dp,envoy,coredns} from the real kuma-dp (built
by tools/build-kuma.sh) and the Envoy/CoreDNS stand-ins of tests/standins,
with a .sha256 file beside each, in the directory layout of Kong's releases,
so that the role's real download path (URL, checksum, unpack) is exercised.

  release_archives.py build OUTDIR [VERSION...]   print JSON {version: {path, sha256, url_path}}
  release_archives.py serve LAB OUTDIR            serve OUTDIR from LAB's `dl` namespace (port 8080)
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kumacp  # noqa: E402
import lab as labmod  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = "kuma"
ARCH = "amd64"


def url_path(version, product=PRODUCT, arch=ARCH):
    """The path of an archive below the server root, as in Kong's release layout."""
    return "public/%s-binaries-release/raw/names/%s-linux-%s/versions/%s/%s-%s-linux-%s.tar.gz" % (
        product, product, arch, version, product, version, arch)


def build(outdir, versions):
    out = {}
    for version in versions:
        bindir = kumacp.kuma_bin_dir(version)
        rel = url_path(version)
        dest = Path(outdir) / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        members = [("kuma-dp", bindir / "kuma-dp"), ("envoy", ROOT / "tests/standins/envoy"),
                   ("coredns", ROOT / "tests/standins/coredns")]
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
            top = "%s-%s" % (PRODUCT, version)
            for d in (top, top + "/bin"):
                info = tarfile.TarInfo(d)
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            for name, src in members:
                info = tar.gettarinfo(str(src), arcname="%s/bin/%s" % (top, name))
                info.mode, info.uid, info.gid, info.uname, info.gname = 0o755, 0, 0, "root", "root"
                with open(src, "rb") as f:
                    tar.addfile(info, f)
        data = buf.getvalue()
        dest.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        Path(str(dest) + ".sha256").write_text("%s  %s\n" % (digest, dest.name))
        out[version] = {"path": str(dest), "sha256": digest, "url_path": rel}
    return out


def serve(lab, outdir, port=8080):
    """Start an HTTP server for outdir in LAB's `dl` namespace; return its base URL."""
    state = labmod.up(lab, [], ["dl"])
    svc = state["services"]["dl"]
    log = open(Path(outdir) / "http.log", "ab")
    subprocess.Popen(["ip", "netns", "exec", svc["netns"], sys.executable, "-m", "http.server", "--bind",
                      svc["address"], "--directory", str(outdir), str(port)],
                     stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    return "http://%s:%d" % (svc["address"], port)


def main(argv):
    if len(argv) >= 2 and argv[0] == "build":
        print(json.dumps(build(argv[1], argv[2:] or ["2.14.3", "2.13.10"]), indent=2))
    elif len(argv) == 3 and argv[0] == "serve":
        print(serve(argv[1], argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except kumacp.KumaUnavailable as e:
        print("release archives: %s" % e, file=sys.stderr)
        sys.exit(2)
