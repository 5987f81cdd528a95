# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""The rendered kuma-dp unit on a real systemd host."""

import pytest

from conftest import labmod, run
from ansible_collections.kumaops.mesh.plugins.module_utils import kuma_dp

pytestmark = pytest.mark.lab
LAB = "unittest"


@pytest.fixture(scope="module")
def host(root_ok):
    labmod.down(LAB)
    state = labmod.up(LAB, ["dp-host"], ["cp"])
    h = state["hosts"]["dp-host"]

    def ssh(cmd, check=True):
        return run(["ssh", "-i", state["key"]] + labmod.SSH_OPTS + ["root@" + h["address"], cmd], check=check)
    yield ssh
    labmod.down(LAB)


def test_rendered_unit_passes_systemd_analyze_verify(host):
    """Every directive is known to the host's systemd and every value parses.

    The one line allowed is that kuma-dp itself is missing, on machines
    without the Kuma binaries (the unit's syntax is still fully checked).
    """
    cfg = kuma_dp.instance_config({"instance": "web-1", "cp_address": "https://10.77.0.2:5678",
                                   "ca_cert_file": "/etc/kuma-dp/ca.crt", "drain_time": "20s",
                                   "dataplane_vars": {"name": "web-1", "address": "10.77.0.11"},
                                   "application_probe_proxy_port": 9001})
    unit = kuma_dp.render_unit(cfg)
    host("getent passwd kuma-dp >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin kuma-dp; "
         "mkdir -p /var/lib/kuma-dp/web-1 /etc/kuma-dp/web-1; cat > /etc/systemd/system/kuma-dp@web-1.service <<'E'\n"
         + unit + "E\nsystemctl daemon-reload")
    out = host("systemd-analyze verify /etc/systemd/system/kuma-dp@web-1.service 2>&1; echo rc=$?", check=False)
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    missing_binary = "Command %s is not executable: No such file or directory" % cfg["kuma_dp_path"]
    assert [line for line in lines if not line.startswith("rc=") and missing_binary not in line] == [], out.stdout
    shown = host("systemctl show kuma-dp@web-1.service -p KillMode -p KillSignal -p TimeoutStopUSec -p Restart "
                 "-p LimitNOFILE -p NoNewPrivileges -p User").stdout
    props = dict(line.split("=", 1) for line in shown.split())
    assert props == {"KillMode": "mixed", "KillSignal": "15", "TimeoutStopUSec": "35s", "Restart": "always",
                     "LimitNOFILE": "65536", "NoNewPrivileges": "yes", "User": "kuma-dp"}
