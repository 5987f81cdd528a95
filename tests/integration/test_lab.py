# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""The lab: real systemd hosts reached over SSH, and a clean destroy."""

import json
import os
import subprocess

import pytest

from conftest import ROOT, labmod, run

pytestmark = pytest.mark.lab
LAB = "labtest"


@pytest.fixture(scope="module")
def three_hosts(root_ok):
    labmod.down(LAB)
    state = labmod.up(LAB, ["node1", "node2", "node3"], ["cp"])
    yield state
    labmod.down(LAB)


def test_three_hosts_answer_ansible_ping_over_ssh(three_hosts, tmp_path):
    inv = tmp_path / "inventory.json"
    inv.write_text(json.dumps(labmod.inventory(three_hosts)))
    out = run(["ansible", "all", "-i", str(inv), "-m", "ansible.builtin.ping"],
              env=dict(os.environ, ANSIBLE_HOST_KEY_CHECKING="False"))
    assert sorted(line.split()[0] for line in out.stdout.splitlines() if "SUCCESS" in line) == \
        ["node1", "node2", "node3"], out.stdout


def test_each_host_runs_systemd_as_pid1(three_hosts):
    key = three_hosts["key"]
    for name, host in three_hosts["hosts"].items():
        out = run(["ssh", "-i", key] + labmod.SSH_OPTS + ["root@" + host["address"],
                   "hostname; systemctl is-system-running; cat /proc/1/comm"])
        assert out.stdout.split() == [name, "running", "systemd"], out.stdout


def test_hosts_have_separate_filesystems(three_hosts):
    key = three_hosts["key"]
    a, b = three_hosts["hosts"]["node1"]["address"], three_hosts["hosts"]["node2"]["address"]
    run(["ssh", "-i", key] + labmod.SSH_OPTS + ["root@" + a, "echo node1-only > /etc/kumaops-marker"])
    out = run(["ssh", "-i", key] + labmod.SSH_OPTS + ["root@" + b, "test ! -e /etc/kumaops-marker && echo absent"])
    assert out.stdout.strip() == "absent"


def test_hosts_reach_the_service_namespace(three_hosts):
    """A server in the `cp` namespace is reachable from a host (as kuma-cp will be)."""
    cp = three_hosts["services"]["cp"]
    server = subprocess.Popen(["ip", "netns", "exec", cp["netns"], "python3", "-m", "http.server", "--bind",
                               cp["address"], "8000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out = run(["ssh", "-i", three_hosts["key"]] + labmod.SSH_OPTS + [
            "root@" + three_hosts["hosts"]["node3"]["address"],
            "for i in $(seq 50); do curl -sf -o /dev/null -w '%%{http_code}' http://%s:8000/ && exit 0; sleep 0.1; done; exit 1"
            % cp["address"]])
        assert out.stdout.strip() == "200"
    finally:
        server.terminate()
        server.wait()


def test_graceful_stop_and_timeout_behave_as_on_a_vm(three_hosts):
    """systemd inside a host sends SIGTERM, then SIGKILL after TimeoutStopSec."""
    ssh = ["ssh", "-i", three_hosts["key"]] + labmod.SSH_OPTS + ["root@" + three_hosts["hosts"]["node1"]["address"]]
    unit = ("[Service]\nExecStart=/bin/sh -c 'trap \"sleep 1; exit 0\" TERM; while :; do sleep 0.1; done'\n"
            "TimeoutStopSec=5\n")
    stubborn = "[Service]\nExecStart=/bin/sh -c 'trap \"\" TERM; while :; do sleep 0.1; done'\nTimeoutStopSec=1\n"
    run(ssh + ["cat > /etc/systemd/system/graceful.service <<'E'\n%sE\ncat > /etc/systemd/system/stubborn.service "
               "<<'E'\n%sE\nsystemctl daemon-reload && systemctl start graceful stubborn" % (unit, stubborn)])
    run(ssh + ["systemctl stop graceful stubborn"])
    out = run(ssh + ["systemctl show -p Result --value graceful stubborn"])
    assert out.stdout.split() == ["success", "timeout"]


def test_destroy_leaves_nothing_behind(root_ok):
    name = "labgone"
    labmod.up(name, ["a1", "a2"], ["cp"])
    assert labmod.leftovers(name), "the lab should exist before destroy"
    labmod.down(name)
    assert labmod.leftovers(name) == []
    labmod.down(name)  # idempotent
    assert labmod.leftovers(name) == []


def test_lab_cli_reports_a_missing_lab_in_one_line():
    out = run(["python3", str(ROOT / "tools/lab.py"), "status", "no-such-lab"], check=False)
    assert out.returncode == 2
    assert out.stderr.strip() == "lab: no lab named no-such-lab"


def test_destroy_after_a_crash_without_state_leaves_nothing(root_ok):
    """A run that died without its state file is still cleaned up by name."""
    name = "labcrash"
    labmod.up(name, ["c1"], ["cp"])
    (labmod.lab_dir(name) / "state.json").unlink()
    labmod.down(name)
    assert labmod.leftovers(name) == []
