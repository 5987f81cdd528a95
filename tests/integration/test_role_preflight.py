# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Bad input stops the rollout in preflight, before any host changes."""

import json

import pytest

from conftest import ansible_env, labmod, run

pytestmark = pytest.mark.lab
LAB = "preflight"

GOOD = {"instance": "web", "networking": {"inbound": [{"port": 10001, "servicePort": 8080,
                                                       "tags": {"kuma.io/service": "web"}}]}}
BAD = {"instance": "api", "networking": {"inbound": [{"port": 0, "servicePort": 8080,
                                                      "tags": {"kuma.io/service": "api", "kuma.io/protocol": "smtp"}}],
                                         "outbound": [{"port": 10001}]}}


@pytest.fixture(scope="module")
def lab(root_ok):
    labmod.down(LAB)
    yield labmod.up(LAB, ["pf-1", "pf-2"], ["cp"])
    labmod.down(LAB)


def inventory(lab, tmp_path, dataplanes):
    inv = labmod.inventory(lab)
    inv["all"]["children"] = {"kuma_dp": {"hosts": {h: {"kuma_dp_dataplanes": dataplanes[h]} for h in dataplanes}}}
    inv["all"]["vars"].update({"kuma_dp_cp_address": "https://%s:5678" % lab["services"]["cp"]["address"],
                               "kuma_dp_cp_api_url": "http://%s:5681" % lab["services"]["cp"]["address"],
                               "kuma_dp_archive_sha256": {"amd64": "0" * 64}})
    p = tmp_path / "inventory.json"
    p.write_text(json.dumps(inv))
    return str(p)


def host_untouched(lab, host):
    out = run(["ssh", "-i", lab["key"]] + labmod.SSH_OPTS + ["root@" + lab["hosts"][host]["address"],
               "id kuma-dp >/dev/null 2>&1 && echo user; test -e /opt/kuma-dp && echo install; "
               "ls /etc/systemd/system | grep kuma-dp; true"])
    return out.stdout.split() == []


def test_bad_dataplane_fails_in_preflight_naming_every_field_and_changes_nothing(lab, tmp_path):
    inv = inventory(lab, tmp_path, {"pf-1": [GOOD], "pf-2": [BAD, dict(GOOD, instance="web2")]})
    out = run(["ansible-playbook", "-i", inv, "kumaops.mesh.rollout"], check=False, env=ansible_env())
    text = out.stdout + out.stderr
    assert out.returncode != 0, text
    for part in ("instance api: networking.inbound[0].port: port must be in the range [1, 65535]",
                 'instance api: networking.inbound[0].tags["kuma.io/protocol"]: tag "kuma.io/protocol" has an '
                 "invalid value \"smtp\". Allowed values: grpc, http, http2, kafka, tcp",
                 "instance web2: networking.inbound[0].port: port 10001 is already used by instance api"):
        assert part in text, text
    assert host_untouched(lab, "pf-1") and host_untouched(lab, "pf-2")


def test_wrong_types_are_caught_by_the_argument_spec(lab, tmp_path):
    inv = inventory(lab, tmp_path, {"pf-1": "not-a-list", "pf-2": [GOOD]})
    out = run(["ansible-playbook", "-i", inv, "kumaops.mesh.rollout"], check=False, env=ansible_env())
    text = out.stdout + out.stderr
    assert out.returncode != 0
    assert "kuma_dp_dataplanes" in text and "list" in text, text
    assert host_untouched(lab, "pf-1") and host_untouched(lab, "pf-2")
