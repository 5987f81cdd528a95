# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Unit tests of plugins/module_utils/kuma_dp.py (flags, environment, unit)."""

import pytest

from ansible_collections.kumaops.mesh.plugins.module_utils import kuma_dp

BASE = {"instance": "web-1", "cp_address": "https://10.77.0.2:5678", "ca_cert_file": "/etc/kuma-dp/ca.crt"}


def test_direct_flags_carry_the_file_and_every_var_sorted():
    cfg = kuma_dp.instance_config(dict(BASE, dataplane_vars={"name": "web-1", "address": "10.0.0.5"}))
    assert kuma_dp.run_args(cfg) == [
        "/opt/kuma-dp/current/bin/kuma-dp", "run", "--cp-address", "https://10.77.0.2:5678",
        "--ca-cert-file", "/etc/kuma-dp/ca.crt",
        "--dataplane-file", "/etc/kuma-dp/web-1/dataplane.yaml",
        "--dataplane-var", "address=10.0.0.5", "--dataplane-var", "name=web-1",
        "--dataplane-token-file", "/etc/kuma-dp/web-1/token", "--drain-time", "30s",
        "--binary-path", "/opt/kuma-dp/current/bin/envoy", "--work-dir", "/var/lib/kuma-dp/web-1",
        "--dns-enabled=false"]


def test_indirect_flags_name_and_mesh_and_no_file():
    cfg = kuma_dp.instance_config(dict(BASE, lifecycle="indirect", name="web-1-dp", mesh="prod"))
    args = kuma_dp.run_args(cfg)
    assert args[args.index("--name") + 1] == "web-1-dp"
    assert args[args.index("--mesh") + 1] == "prod"
    assert "--dataplane-file" not in args and "--dataplane-var" not in args


def test_dns_on_points_at_coredns():
    args = kuma_dp.run_args(kuma_dp.instance_config(dict(BASE, dns_enabled=True)))
    assert args[args.index("--dns-coredns-path") + 1] == "/opt/kuma-dp/current/bin/coredns"
    assert "--dns-enabled=false" not in args


def test_unit_stops_gracefully_above_the_drain_time():
    cfg = kuma_dp.instance_config(dict(BASE, drain_time="45s"))
    unit = kuma_dp.render_unit(cfg, header="Ansible managed")
    lines = unit.splitlines()
    assert lines[0] == "# Ansible managed"
    assert "KillMode=mixed" in lines and "KillSignal=SIGTERM" in lines
    assert "TimeoutStopSec=60s" in lines  # 45 s drain + 5 s Envoy grace + 10 s margin
    assert "Restart=always" in lines and "LimitNOFILE=65536" in lines
    assert "NoNewPrivileges=yes" in lines and "ProtectSystem=strict" in lines
    assert "ReadWritePaths=/var/lib/kuma-dp/web-1" in lines
    assert 'Environment="KUMA_READINESS_PORT=9902"' in lines
    exec_start = [line for line in lines if line.startswith("ExecStart=")]
    assert exec_start == ["ExecStart=" + " ".join(kuma_dp.run_args(cfg))]
    assert kuma_dp.unit_name(cfg) == "kuma-dp@web-1.service"


def test_two_instances_on_one_host_differ_in_every_per_instance_path_and_port():
    a = kuma_dp.instance_config(dict(BASE, instance="web-1", readiness_port=9902, application_probe_proxy_port=9001))
    b = kuma_dp.instance_config(dict(BASE, instance="api-1", readiness_port=9912, application_probe_proxy_port=9011))
    for key in ("work_dir", "token_file", "dataplane_file"):
        assert a[key] != b[key]
    assert kuma_dp.environment(a)["KUMA_APPLICATION_PROBE_PROXY_PORT"] == "9001"
    assert kuma_dp.environment(b)["KUMA_READINESS_PORT"] == "9912"


def test_percent_and_dollar_are_escaped_for_systemd():
    cfg = kuma_dp.instance_config(dict(BASE, environment={"X": "50%$HOME"}))
    assert 'Environment="X=50%%$$HOME"' in kuma_dp.render_unit(cfg)


def test_every_problem_in_one_message():
    with pytest.raises(kuma_dp.KumaDpConfigError) as e:
        kuma_dp.instance_config({"instance": "bad name", "cp_address": "kuma-cp:5678", "drain_time": "soon",
                                 "readiness_port": 0, "lifecycle": "sideways", "token_file": "relative/token"})
    msg = str(e.value)
    for part in ("instance: 'bad name'", "cp_address: 'kuma-cp:5678' must start with https://",
                 "lifecycle: 'sideways'", "drain_time: invalid duration 'soon'", "readiness_port: 0",
                 "token_file: 'relative/token' must be an absolute path"):
        assert part in msg, msg
    assert len(e.value.problems) == 6


def test_port_collision_between_readiness_and_probe_proxy():
    with pytest.raises(kuma_dp.KumaDpConfigError, match="application_probe_proxy_port: 9902 is already the readiness_port"):
        kuma_dp.instance_config(dict(BASE, application_probe_proxy_port=9902))
