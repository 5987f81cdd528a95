# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""kumaops.mesh.dataplane (Direct) on a real host: the file kuma-dp reads.

Ansible must not expand kuma-dp's own template variables ({{ name }},
{{ address }}): the file keeps them for `kuma-dp run --dataplane-var`.
"""

import json

import pytest
import yaml

from conftest import ansible_env, labmod, run

pytestmark = pytest.mark.lab
LAB = "dpfile"

PLAYBOOK = """
- hosts: all
  gather_facts: false
  vars:
    address_placeholder: !unsafe "{{ address }}"
  tasks:
    - name: Write the Dataplane file
      kumaops.mesh.dataplane:
        lifecycle: direct
        name: !unsafe "{{ name }}"
        mesh: default
        networking:
          address: "{{ address_placeholder }}"
          inbound:
            - port: %(port)d
              servicePort: 8080
              tags:
                kuma.io/service: web
                kuma.io/protocol: http
        template_vars:
          name: web-1
          address: 10.0.0.5
        kuma_version: "2.14.3"
        dest: /etc/kuma-dp/web/dataplane.yaml
        mode: "0640"
"""


@pytest.fixture(scope="module")
def host(root_ok):
    labmod.down(LAB)
    state = labmod.up(LAB, ["dp-file"], [])
    yield state
    labmod.down(LAB)


def play(host, tmp_path, port, *extra, ok=True):
    inv = tmp_path / "inventory.json"
    inv.write_text(json.dumps(labmod.inventory(host)))
    pb = tmp_path / "play.yml"
    pb.write_text(PLAYBOOK % {"port": port})
    out = run(["ansible-playbook", "-i", str(inv), str(pb)] + list(extra), check=False,
              env=ansible_env(ANSIBLE_CALLBACK_RESULT_FORMAT="json"))
    assert (out.returncode == 0) == ok, out.stdout + out.stderr
    return out


def read(host, path):
    return run(["ssh", "-i", host["key"]] + labmod.SSH_OPTS + ["root@" + host["hosts"]["dp-file"]["address"],
               "mkdir -p /etc/kuma-dp/web; cat %s 2>/dev/null; stat -c %%a %s 2>/dev/null; true" % (path, path)]).stdout


def test_direct_file_keeps_kuma_dp_variables_and_is_idempotent(host, tmp_path):
    read(host, "/etc/kuma-dp/web/dataplane.yaml")
    first = play(host, tmp_path, 10001)
    assert "changed=1" in first.stdout
    text = read(host, "/etc/kuma-dp/web/dataplane.yaml")
    body, mode = text.rsplit("\n", 2)[0], text.split()[-1]
    doc = yaml.safe_load(body)
    assert doc["name"] == "{{ name }}" and doc["networking"]["address"] == "{{ address }}"
    assert doc["type"] == "Dataplane" and doc["networking"]["inbound"][0]["port"] == 10001
    assert mode == "640"
    again = play(host, tmp_path, 10001)
    assert "changed=0" in again.stdout


def test_check_mode_predicts_without_writing(host, tmp_path):
    play(host, tmp_path, 10001)
    before = read(host, "/etc/kuma-dp/web/dataplane.yaml")
    predicted = play(host, tmp_path, 10002, "--check", "--diff")
    assert "changed=1" in predicted.stdout
    assert "10002" in predicted.stdout  # the diff shows the new port
    assert read(host, "/etc/kuma-dp/web/dataplane.yaml") == before


def test_bad_dataplane_names_every_field_and_writes_nothing(host, tmp_path):
    run(["ssh", "-i", host["key"]] + labmod.SSH_OPTS + ["root@" + host["hosts"]["dp-file"]["address"],
         "rm -f /etc/kuma-dp/web/dataplane.yaml"])
    out = play(host, tmp_path, 0, ok=False)
    text = out.stdout + out.stderr
    assert "networking.inbound[0].port: port must be in the range [1, 65535]" in text, text
    assert read(host, "/etc/kuma-dp/web/dataplane.yaml").strip() == ""
