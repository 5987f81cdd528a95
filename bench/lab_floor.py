#!/usr/bin/env python3
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""The lab's floor: boot N hosts, `ansible -m ping` them, gather facts, tear down.

These are the floors the rollout benchmarks are measured against (a no-op
rollout re-run and a fresh rollout as ratios to `ansible -m ping`).

  sudo python3 bench/lab_floor.py 10 20      writes bench/results/<date>-<cores>cores-lab-floor.md
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import lab as labmod  # noqa: E402


def timed(cmd, env):
    t0 = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s%s" % (" ".join(cmd), proc.stdout[-2000:], proc.stderr[-2000:]))
    return time.monotonic() - t0


def measure(n, env):
    lab = "bench%d" % n
    labmod.down(lab)
    t0 = time.monotonic()
    try:
        state = labmod.up(lab, ["h%02d" % i for i in range(n)], ["cp"])
        boot = time.monotonic() - t0
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(labmod.inventory(state), f)
        ping = timed(["ansible", "all", "-i", f.name, "-m", "ansible.builtin.ping", "-f", "20"], env)
        facts = timed(["ansible", "all", "-i", f.name, "-m", "ansible.builtin.setup", "-f", "20"], env)
        os.unlink(f.name)
    finally:
        t1 = time.monotonic()
        labmod.down(lab)
        down = time.monotonic() - t1
    return {"hosts": n, "boot": boot, "ping": ping, "facts": facts, "down": down}


def main(argv):
    sizes = [int(a) for a in argv] or [10, 20]
    env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING="False")
    rows = [measure(n, env) for n in sizes]
    day = datetime.date.today().isoformat()
    cores = os.cpu_count()
    out = ROOT / "bench" / "results" / ("%s-%dcores-lab-floor.md" % (day, cores))
    lines = ["# Lab floor, %s, %d cores" % (day, cores), "",
             "Command: `sudo python3 bench/lab_floor.py %s` (one run; wall seconds)." % " ".join(map(str, sizes)), "",
             "| hosts | boot to running + sshd | ansible -m ping (-f 20) | setup facts (-f 20) | destroy |",
             "|---|---|---|---|---|"]
    lines += ["| %(hosts)d | %(boot).1f | %(ping).1f | %(facts).1f | %(down).1f |" % r for r in rows]
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
