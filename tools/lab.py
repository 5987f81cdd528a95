#!/usr/bin/env python3
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""A lab of real systemd hosts on one Linux machine.

Each host is a systemd-nspawn container booted with systemd as PID 1, on an
overlayfs over one shared Debian base image, in a network namespace of its
own with a veth into a bridge the lab creates. The controller reaches the
hosts over SSH as root with the lab's key. A lab may also hold bare network
namespaces on the same bridge ("service namespaces"), for servers the hosts
must reach, such as the lab's kuma-cp and an HTTP server for release archives.

Usage (as root):
  lab.py image                         build the base image once (cached)
  lab.py up LAB HOST... [--service NS] start hosts (and service namespaces)
  lab.py down LAB                      destroy everything of LAB (idempotent)
  lab.py status LAB                    JSON: hosts, addresses, key, bridge
  lab.py inventory LAB                 an Ansible YAML inventory of the hosts
  lab.py exec LAB HOST -- CMD...       run CMD inside HOST (all namespaces)
  lab.py ns-exec LAB NS -- CMD...      run CMD in a service namespace

Everything lives under $KUMAOPS_CACHE (default ~/.cache/kumaops)/lab.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

CACHE = Path(os.environ.get("KUMAOPS_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kumaops")
LAB_ROOT = CACHE / "lab"
SUITE = "bookworm"
PACKAGES = [
    "systemd", "systemd-sysv", "dbus", "python3", "openssh-server", "iproute2",
    "ca-certificates", "curl", "procps", "tar", "gzip",
]
# Bumping this (or PACKAGES) builds a new base image.
RECIPE_VERSION = "1"
CGROUP_V1 = Path("/sys/fs/cgroup/systemd")
CGROUP_V2 = Path("/sys/fs/cgroup/unified")
SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=10"]


class LabError(Exception):
    pass


def run(cmd, check=True, **kw):
    proc = subprocess.run(cmd, text=True, capture_output=True, **kw)
    if check and proc.returncode != 0:
        raise LabError("%s failed (%d): %s" % (" ".join(map(str, cmd)), proc.returncode,
                                                (proc.stderr or proc.stdout).strip()[-2000:]))
    return proc


def preflight(image=False):
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces, mounts, systemd-nspawn): run it as root")
    missing = [(b, pkg) for b, pkg in (("systemd-nspawn", "systemd-container"), ("ip", "iproute2"),
                                        ("nsenter", "util-linux"), ("ssh", "openssh-client"),
                                        ("ssh-keygen", "openssh-client"))
               if not shutil.which(b)]
    if image and not shutil.which("debootstrap"):
        missing.append(("debootstrap", "debootstrap"))
    if missing:
        raise LabError("missing %s: apt-get install %s" % (", ".join(b for b, _ in missing),
                                                          " ".join(sorted({p for _, p in missing}))))
    if not (CGROUP_V2 / "cgroup.procs").exists() and not Path("/sys/fs/cgroup/cgroup.procs").exists():
        raise LabError("no cgroup2 hierarchy at /sys/fs/cgroup/unified or /sys/fs/cgroup")


# --------------------------------------------------------------------------- image

def debian_mirror():
    """The Debian mirror this machine's apt already uses (never hard-coded)."""
    if os.environ.get("KUMAOPS_DEBIAN_MIRROR"):
        return os.environ["KUMAOPS_DEBIAN_MIRROR"]
    candidates = []
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for stanza in re.split(r"\n\s*\n", Path(path).read_text()):
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line:
                    continue
                k, v = line.split(":", 1)
                fields[k.strip().lower()] = v.strip()
            if "deb" in fields.get("types", "").split() and SUITE in fields.get("suites", "").split():
                candidates += fields.get("uris", "").split()
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        if os.path.exists(path):
            for line in Path(path).read_text().splitlines():
                m = re.match(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
                if m and m.group(2) == SUITE:
                    candidates.append(m.group(1))
    if not candidates:
        raise LabError("no Debian %s mirror found in /etc/apt/sources.list*; set KUMAOPS_DEBIAN_MIRROR" % SUITE)
    return candidates[0]


def image_dir():
    digest = hashlib.sha256(("%s|%s|%s" % (RECIPE_VERSION, SUITE, ",".join(PACKAGES))).encode()).hexdigest()[:12]
    return LAB_ROOT / ("base-%s-%s" % (SUITE, digest))


def build_image():
    """Build the base image once; return its directory (rootfs/ and id_ed25519)."""
    preflight(image=True)
    d = image_dir()
    if (d / "ready").exists():
        return d
    LAB_ROOT.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="base-build-", dir=LAB_ROOT))
    try:
        rootfs = tmp / "rootfs"
        mirror = debian_mirror()
        print("[lab] debootstrap %s (first time only, about a minute)" % SUITE, file=sys.stderr)
        run(["debootstrap", "--variant=minbase", "--include=" + ",".join(PACKAGES), SUITE, str(rootfs), mirror])
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "kumaops-lab", "-f", str(tmp / "id_ed25519")])
        ssh = rootfs / "root/.ssh"
        ssh.mkdir(mode=0o700, exist_ok=True)
        shutil.copy(tmp / "id_ed25519.pub", ssh / "authorized_keys")
        os.chmod(ssh / "authorized_keys", 0o600)
        (rootfs / "etc/machine-id").write_text("")
        (rootfs / "etc/hosts").write_text("127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n")
        (rootfs / "etc/resolv.conf").unlink(missing_ok=True)
        (rootfs / "etc/resolv.conf").write_text("")
        # No DNS in the lab: sshd must not wait on reverse look-ups.
        (rootfs / "etc/ssh/sshd_config.d").mkdir(exist_ok=True)
        (rootfs / "etc/ssh/sshd_config.d/kumaops-lab.conf").write_text("UseDNS no\nPermitRootLogin prohibit-password\n")
        # Nothing in the lab needs these; they only slow the boot down.
        for unit in ("apt-daily.timer", "apt-daily-upgrade.timer", "e2scrub_all.timer", "fstrim.timer",
                     "systemd-timesyncd.service"):
            link = rootfs / "etc/systemd/system" / unit
            link.unlink(missing_ok=True)
            link.symlink_to("/dev/null")
        run(["chroot", str(rootfs), "apt-get", "clean"], check=False)
        (tmp / "mirror").write_text(mirror + "\n")
        (tmp / "ready").write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))
        if d.exists():
            shutil.rmtree(d)
        tmp.rename(d)
        return d
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- lab state

def lab_dir(lab):
    if not re.match(r"^[a-z0-9][a-z0-9-]{0,15}$", lab):
        raise LabError("lab name %r: use 1-16 lowercase letters, digits and '-'" % lab)
    return LAB_ROOT / "labs" / lab


def subnet_index(lab):
    override = os.environ.get("KUMAOPS_LAB_SUBNET_INDEX")
    return int(override) if override else 10 + zlib.crc32(lab.encode()) % 240


def load_state(lab):
    p = lab_dir(lab) / "state.json"
    return json.loads(p.read_text()) if p.exists() else None


def save_state(lab, state):
    d = lab_dir(lab)
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    tmp.replace(d / "state.json")


def subnet_in_use(idx):
    out = run(["ip", "-4", "route", "show", "10.77.%d.0/24" % idx], check=False).stdout
    return bool(out.strip())


def new_state(lab):
    idx = subnet_index(lab)
    for _ in range(240):
        if not subnet_in_use(idx):
            break
        idx = 10 + (idx - 10 + 1) % 240
    else:
        raise LabError("no free 10.77.X.0/24 subnet for lab %s" % lab)
    return {
        "lab": lab, "subnet": "10.77.%d.0/24" % idx, "gateway": "10.77.%d.1" % idx,
        "bridge": ("kob-%s" % lab)[:15], "index": idx, "hosts": {}, "services": {},
        "image": str(image_dir()), "key": str(image_dir() / "id_ed25519"),
    }


def next_address(state, service=False):
    """Service namespaces get .2-.10, hosts .11-.249."""
    used = {h["address"] for h in state["hosts"].values()} | {s["address"] for s in state["services"].values()}
    base = state["gateway"].rsplit(".", 1)[0]
    for i in (range(2, 11) if service else range(11, 250)):
        addr = "%s.%d" % (base, i)
        if addr not in used:
            return addr
    raise LabError("lab %s is full" % state["lab"])


def netns_name(state, name):
    # "." cannot occur in lab or host names: no lab's prefix matches another lab.
    return "ko-%s.%s" % (state["lab"], name)


def ensure_bridge(state):
    br = state["bridge"]
    if run(["ip", "link", "show", br], check=False).returncode != 0:
        run(["ip", "link", "add", br, "type", "bridge"])
        run(["ip", "addr", "add", state["gateway"] + "/24", "dev", br])
    run(["ip", "link", "set", br, "up"])


def ensure_netns(state, name, address):
    """A network namespace with lo up and eth0 (veth into the lab bridge) at address."""
    ns = netns_name(state, name)
    if not Path("/run/netns", ns).exists():
        run(["ip", "netns", "add", ns])
    run(["ip", "-n", ns, "link", "set", "lo", "up"])
    if run(["ip", "-n", ns, "link", "show", "eth0"], check=False).returncode != 0:
        tag = "%x" % (zlib.crc32(ns.encode()) & 0xFFFFFF)
        outer, inner = "kv%s" % tag, "ki%s" % tag
        run(["ip", "link", "del", outer], check=False)
        run(["ip", "link", "add", outer, "type", "veth", "peer", "name", inner])
        run(["ip", "link", "set", inner, "netns", ns])
        run(["ip", "-n", ns, "link", "set", inner, "name", "eth0"])
        run(["ip", "link", "set", outer, "master", state["bridge"]])
        run(["ip", "link", "set", outer, "up"])
        run(["ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0"])
        run(["ip", "-n", ns, "link", "set", "eth0", "up"])
    return ns


# --------------------------------------------------------------------------- hosts

def cgroup_dirs(state, name):
    rel = Path("kumaops-lab") / state["lab"] / name
    return CGROUP_V1 / rel, CGROUP_V2 / rel


def cgroup_tree(root):
    """Every directory below root, deepest first (tolerates concurrent removal)."""
    dirs = [Path(d) for d, _, _ in os.walk(root, onerror=lambda e: None)]
    return sorted(dirs, key=lambda p: -len(p.parts))


def cgroup_pids(state, name):
    pids = set()
    for root in cgroup_dirs(state, name):
        for d in cgroup_tree(root):
            try:
                pids |= {int(p) for p in (d / "cgroup.procs").read_text().split()}
            except OSError:
                pass
    return pids


def leader_pid(state, name):
    """PID (in our namespace) of the host's systemd, PID 1 of its PID namespace."""
    for pid in sorted(cgroup_pids(state, name)):
        try:
            status = Path("/proc/%d/status" % pid).read_text()
        except OSError:
            continue
        m = re.search(r"^NSpid:\s+(.*)$", status, re.M)
        if m and m.group(1).split()[-1] == "1" and len(m.group(1).split()) > 1:
            return pid
    return None


def start_host(state, name, address):
    d = lab_dir(state["lab"]) / "hosts" / name
    for sub in ("upper", "work", "merged"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    merged = d / "merged"
    if not os.path.ismount(merged):
        run(["mount", "-t", "overlay", "overlay", "-o",
             "lowerdir=%s,upperdir=%s,workdir=%s" % (Path(state["image"]) / "rootfs", d / "upper", d / "work"),
             str(merged)])
    (merged / "etc/hostname").write_text(name + "\n")
    hosts = (Path(state["image"]) / "rootfs/etc/hosts").read_text()
    (merged / "etc/hosts").write_text(hosts + "127.0.1.1 %s\n" % name)
    (merged / "etc/resolv.conf").write_text("")
    ns = ensure_netns(state, name, address)
    v1, v2 = cgroup_dirs(state, name)
    for c in (v1, v2):
        c.mkdir(parents=True, exist_ok=True)
    stop_flag = d / "stop"
    stop_flag.unlink(missing_ok=True)
    nspawn = ["systemd-nspawn", "-b", "-D", str(merged), "-M", name, "--network-namespace-path=/run/netns/" + ns,
              "--register=no", "--keep-unit", "--console=passive", "--resolv-conf=off", "--timezone=off",
              "--link-journal=no"]
    # The starter moves itself into the host's cgroups before nspawn starts,
    # so that every host gets a payload cgroup of its own; a reboot inside the
    # host makes nspawn exit 133, and the loop boots it again.
    script = ('echo $$ > %s/cgroup.procs; echo $$ > %s/cgroup.procs; '
              'while :; do %s; rc=$?; [ "$rc" = 133 ] && [ ! -e %s ] || exit $rc; done'
              % (v1, v2, " ".join(nspawn), stop_flag))
    with open(d / "console.log", "ab") as log:
        subprocess.Popen(["setsid", "sh", "-c", script], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         close_fds=True)
    return {"address": address, "netns": ns, "dir": str(d)}


def ssh_banner(address, timeout=2):
    """sshd's banner line, or None: an accepted connection alone is not enough."""
    try:
        with socket.create_connection((address, 22), timeout=timeout) as conn:
            conn.settimeout(timeout)
            return conn.recv(64).decode(errors="replace").strip() or None
    except OSError:
        return None


def host_ready(state, name, address):
    if not (ssh_banner(address) or "").startswith("SSH-"):
        return False
    pid = leader_pid(state, name)
    if not pid:
        return False
    out = run(["nsenter", "-t", str(pid), "-a", "systemctl", "is-system-running"], check=False).stdout.strip()
    return out in ("running", "degraded")


def wait_ready(state, names, timeout=None):
    timeout = timeout or 60 + 3 * len(names)
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending and time.monotonic() < deadline:
        pending = {n for n in pending if not host_ready(state, n, state["hosts"][n]["address"])}
        if pending:
            time.sleep(0.3)
    if pending:
        tails = []
        for n in sorted(pending):
            log = Path(state["hosts"][n]["dir"]) / "console.log"
            tail = log.read_text(errors="replace").splitlines()[-5:] if log.exists() else []
            tails.append("%s: %s" % (n, " | ".join(tail)))
        raise LabError("hosts not ready after %ds: %s" % (timeout, "; ".join(tails)))


def raise_inotify_limit(minimum=8192):
    """systemd in each host takes inotify instances; the default 128 per user
    runs out at about 18 hosts (they then hang early in boot)."""
    path = Path("/proc/sys/fs/inotify/max_user_instances")
    try:
        if int(path.read_text()) < minimum:
            path.write_text(str(minimum))
            print("[lab] raised fs.inotify.max_user_instances to %d" % minimum, file=sys.stderr)
    except OSError as e:
        raise LabError("cannot raise fs.inotify.max_user_instances to %d: %s" % (minimum, e))


def up(lab, hosts, services=()):
    preflight()
    raise_inotify_limit()
    build_image()
    state = load_state(lab) or new_state(lab)
    save_state(lab, state)
    ensure_bridge(state)
    for svc in services:
        if svc not in state["services"]:
            addr = next_address(state, service=True)
            state["services"][svc] = {"address": addr, "netns": netns_name(state, svc)}
            save_state(lab, state)
        ensure_netns(state, svc, state["services"][svc]["address"])
    started = []
    for name in hosts:
        if not re.match(r"^[a-z0-9][a-z0-9-]{0,30}$", name):
            raise LabError("host name %r: use lowercase letters, digits and '-'" % name)
        info = state["hosts"].get(name)
        if info and leader_pid(state, name):
            continue
        addr = info["address"] if info else next_address(state)
        state["hosts"][name] = {"address": addr}
        save_state(lab, state)
        state["hosts"][name] = start_host(state, name, addr)
        save_state(lab, state)
        started.append(name)
    wait_ready(state, list(state["hosts"]))
    return state


def stop_host(state, name):
    d = lab_dir(state["lab"]) / "hosts" / name
    if d.exists():
        (d / "stop").write_text("")
    for pid in cgroup_pids(state, name):
        try:
            if Path("/proc/%d/comm" % pid).read_text().strip() == "systemd-nspawn":
                os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + 15
    while cgroup_pids(state, name) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in cgroup_pids(state, name):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + 5
    while cgroup_pids(state, name) and time.monotonic() < deadline:
        time.sleep(0.1)
    merged = d / "merged"
    if os.path.ismount(merged):
        run(["umount", "-R", str(merged)], check=False)
        if os.path.ismount(merged):
            run(["umount", "-l", str(merged)])
    for root in cgroup_dirs(state, name):
        for sub in cgroup_tree(root):
            try:
                sub.rmdir()
            except OSError:
                pass
    run(["ip", "netns", "del", netns_name(state, name)], check=False)
    if d.exists():
        shutil.rmtree(d, ignore_errors=True)


def kill_netns_processes(ns):
    out = run(["ip", "netns", "pids", ns], check=False).stdout.split()
    for pid in out:
        try:
            os.kill(int(pid), signal.SIGTERM)
        except (OSError, ValueError):
            pass
    deadline = time.monotonic() + 5
    while run(["ip", "netns", "pids", ns], check=False).stdout.split() and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in run(["ip", "netns", "pids", ns], check=False).stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (OSError, ValueError):
            pass


def down(lab):
    """Destroy everything of LAB; idempotent, and thorough even without its state
    file (a crashed run): what `leftovers` finds by name is removed too."""
    preflight()
    state = load_state(lab)
    if not state:
        sweep(lab)
        return
    for name in list(state["hosts"]):
        stop_host(state, name)  # graceful: SIGTERM to nspawn, the host powers off
    sweep(lab)


def sweep(lab):
    """Remove what is left of LAB by name: processes, mounts, namespaces, cgroups, bridge."""
    for root in (CGROUP_V1, CGROUP_V2):
        for d in cgroup_tree(root / "kumaops-lab" / lab):
            try:
                for pid in (d / "cgroup.procs").read_text().split():
                    os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
    time.sleep(0.2)
    for line in Path("/proc/mounts").read_text().splitlines()[::-1]:
        target = line.split()[1]
        if "/labs/%s/hosts/" % lab in target:
            run(["umount", "-l", target], check=False)
    if os.path.isdir("/run/netns"):
        for ns in os.listdir("/run/netns"):
            if ns.startswith("ko-%s." % lab):
                kill_netns_processes(ns)
                run(["ip", "netns", "del", ns], check=False)
    for root in (CGROUP_V1, CGROUP_V2):
        for d in cgroup_tree(root / "kumaops-lab" / lab) + [root / "kumaops-lab"]:
            try:
                d.rmdir()
            except OSError:
                pass
    run(["ip", "link", "del", ("kob-%s" % lab)[:15]], check=False)
    shutil.rmtree(lab_dir(lab), ignore_errors=True)


def leftovers(lab):
    """What of LAB is still on the machine (empty after a clean `down`)."""
    found = []
    idx_br = ("kob-%s" % lab)[:15]
    if run(["ip", "link", "show", idx_br], check=False).returncode == 0:
        found.append("bridge " + idx_br)
    found += ["netns " + n for n in os.listdir("/run/netns")
              if n.startswith("ko-%s." % lab)] if os.path.isdir("/run/netns") else []
    mounts = Path("/proc/mounts").read_text()
    found += ["mount " + line.split()[1] for line in mounts.splitlines() if "/labs/%s/" % lab in line]
    for root in (CGROUP_V1, CGROUP_V2):
        if (root / "kumaops-lab" / lab).exists():
            found.append("cgroup %s" % (root / "kumaops-lab" / lab))
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmd = Path("/proc/%s/cmdline" % pid).read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "/labs/%s/hosts/" % lab in cmd:
                found.append("process %s %s" % (pid, cmd[:80]))
    if lab_dir(lab).exists():
        found.append("dir " + str(lab_dir(lab)))
    return found


def inventory(state):
    hosts = {}
    for name, h in sorted(state["hosts"].items()):
        hosts[name] = {"ansible_host": h["address"]}
    return {"all": {"hosts": hosts, "vars": {
        "ansible_user": "root",
        "ansible_ssh_private_key_file": state["key"],
        "ansible_ssh_common_args": " ".join(SSH_OPTS),
        "ansible_python_interpreter": "/usr/bin/python3",
    }}}


def nsenter_host(state, name, cmd):
    pid = leader_pid(state, name)
    if not pid:
        raise LabError("host %s of lab %s is not running" % (name, state["lab"]))
    return ["nsenter", "-t", str(pid), "-a"] + list(cmd)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("image")
    p = sub.add_parser("up")
    p.add_argument("lab")
    p.add_argument("hosts", nargs="*")
    p.add_argument("--service", action="append", default=[], help="a bare network namespace on the bridge")
    for c in ("down", "status", "inventory", "leftovers"):
        sub.add_parser(c).add_argument("lab")
    for c in ("exec", "ns-exec"):
        p = sub.add_parser(c)
        p.add_argument("lab")
        p.add_argument("name")
        p.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "image":
            print(build_image())
        elif args.cmd == "up":
            print(json.dumps(up(args.lab, args.hosts, args.service), indent=2, sort_keys=True))
        elif args.cmd == "down":
            down(args.lab)
        elif args.cmd == "leftovers":
            left = leftovers(args.lab)
            print("\n".join(left))
            return 1 if left else 0
        else:
            state = load_state(args.lab)
            if not state:
                raise LabError("no lab named %s" % args.lab)
            if args.cmd == "status":
                print(json.dumps(state, indent=2, sort_keys=True))
            elif args.cmd == "inventory":
                print(json.dumps(inventory(state), indent=2))
            else:
                cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
                if args.cmd == "exec":
                    full = nsenter_host(state, args.name, cmd)
                else:
                    full = ["ip", "netns", "exec", state["services"][args.name]["netns"]] + cmd
                os.execvp(full[0], full)
    except LabError as e:
        print("lab: %s" % e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
