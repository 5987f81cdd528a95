# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Unit tests of kumaops.mesh.dataplane, driven by a patched KumaClient."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os
import stat
from unittest import mock

import pytest

from ansible.module_utils import basic

from ansible_collections.kumaops.mesh.plugins.module_utils.dataplane import build_resource
from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_client import KumaError, KumaUnreachable
from ansible_collections.kumaops.mesh.plugins.modules import dataplane
from ansible_collections.kumaops.mesh.tests.unit.plugins.modules.utils import (
    called_methods, exit_result, fail_result, patched_client)

URL = "http://kuma-cp.test:5681"

NETWORKING = {
    "address": "192.0.2.10",
    "inbound": [{"port": 18080, "servicePort": 8080, "tags": {"kuma.io/service": "web", "kuma.io/protocol": "http"}}],
}


def args(**kw):
    base = dict(url=URL, name="web-1", mesh="default", networking=copy.deepcopy(NETWORKING))
    base.update(kw)
    return base


def as_kuma_returns(resource):
    """The resource with what kuma-cp adds on GET."""
    res = copy.deepcopy(resource)
    res["creationTime"] = "2026-01-01T00:00:00Z"
    res["modificationTime"] = "2026-01-01T00:00:00Z"
    res["kri"] = "kri_dp_default_zone-1__web-1_"
    res["labels"] = dict(res.get("labels") or {}, **{"kuma.io/origin": "zone", "kuma.io/zone": "zone-1",
                                                     "kuma.io/mesh": res["mesh"]})
    for inbound in res["networking"]["inbound"]:
        inbound["tags"]["kuma.io/zone"] = "zone-1"
    return res


@pytest.fixture(name="kuma")
def kuma_fixture():
    with patched_client() as mocks:
        yield mocks


# --------------------------------------------------------------------------- indirect

def test_check_mode_predicts_create_without_writing(kuma):
    kuma.get_dataplane.return_value = None
    result = exit_result(dataplane, args(), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["created"] is True
    assert result["dataplane"]["name"] == "web-1"
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["networking"]["address"] == "192.0.2.10"
    assert not kuma.put_dataplane.called


def test_create_puts_the_flat_resource(kuma):
    desired = build_resource("web-1", "default", NETWORKING)
    kuma.get_dataplane.side_effect = [None, as_kuma_returns(desired)]
    kuma.put_dataplane.return_value = (True, [])
    result = exit_result(dataplane, args())
    assert result["changed"] is True
    assert result["created"] is True
    assert kuma.put_dataplane.call_args[0][1] == desired
    assert result["dataplane"]["creationTime"] == "2026-01-01T00:00:00Z"
    assert kuma.get_dataplane.call_args[0][1:] == ("default", "web-1")


def test_unchanged_when_kuma_only_added_its_fields(kuma):
    kuma.get_dataplane.return_value = as_kuma_returns(build_resource("web-1", "default", NETWORKING))
    result = exit_result(dataplane, args(), diff=True)
    assert result["changed"] is False
    assert result["diff"]["before"] == result["diff"]["after"]
    assert not kuma.put_dataplane.called


def test_update_when_networking_differs(kuma):
    current = as_kuma_returns(build_resource("web-1", "default", NETWORKING))
    networking = copy.deepcopy(NETWORKING)
    networking["inbound"][0]["servicePort"] = 9090
    kuma.get_dataplane.return_value = current
    kuma.put_dataplane.return_value = (False, ["inbound 18080: kuma.io/protocol is deprecated"])
    with mock.patch.object(basic.AnsibleModule, "warn") as warn:
        result = exit_result(dataplane, args(networking=networking), diff=True)
    assert result["changed"] is True
    assert result["created"] is False
    assert result["kuma_warnings"] == ["inbound 18080: kuma.io/protocol is deprecated"]
    warn.assert_called_once_with("kuma-cp: inbound 18080: kuma.io/protocol is deprecated")
    assert kuma.put_dataplane.call_args[0][1]["networking"]["inbound"][0]["servicePort"] == 9090
    assert result["diff"]["before"]["networking"]["inbound"][0]["servicePort"] == 8080
    assert result["diff"]["after"]["networking"]["inbound"][0]["servicePort"] == 9090


def test_update_when_labels_differ(kuma):
    kuma.get_dataplane.return_value = as_kuma_returns(build_resource("web-1", "default", NETWORKING))
    kuma.put_dataplane.return_value = (False, [])
    result = exit_result(dataplane, args(labels={"team": "web"}))
    assert result["changed"] is True
    assert kuma.put_dataplane.call_args[0][1]["labels"] == {"team": "web"}


def test_absent_deletes(kuma):
    kuma.get_dataplane.return_value = as_kuma_returns(build_resource("web-1", "default", NETWORKING))
    result = exit_result(dataplane, dict(url=URL, name="web-1", state="absent"), diff=True)
    assert result["changed"] is True
    assert kuma.delete_dataplane.call_args[0][1:] == ("default", "web-1")
    assert result["diff"]["after"] == {}


def test_absent_check_mode_does_not_delete(kuma):
    kuma.get_dataplane.return_value = as_kuma_returns(build_resource("web-1", "default", NETWORKING))
    result = exit_result(dataplane, dict(url=URL, name="web-1", state="absent"), check_mode=True)
    assert result["changed"] is True
    assert not kuma.delete_dataplane.called


def test_absent_when_already_gone(kuma):
    kuma.get_dataplane.return_value = None
    result = exit_result(dataplane, dict(url=URL, name="web-1", state="absent"))
    assert result["changed"] is False
    assert not kuma.delete_dataplane.called


def test_invalid_dataplane_lists_every_violation_before_any_call(kuma):
    networking = {
        "address": "0.0.0.0",
        "inbound": [{"port": 70000, "servicePort": 8080, "tags": {"kuma.io/service": "web",
                                                                  "kuma.io/protocol": "smtp"}}],
    }
    result = fail_result(dataplane, args(name="Web_1", networking=networking))
    msg = result["msg"]
    assert "\n" not in msg
    fields = [v["field"] for v in result["violations"]]
    for field in ("name", "networking.address", "networking.inbound[0].port",
                  'networking.inbound[0].tags["kuma.io/protocol"]'):
        assert field in fields
        assert field + ":" in msg
    assert called_methods(kuma) == []


def test_validation_follows_kuma_version(kuma):
    """2.13 needs an inbound or a gateway; 2.14 allows zero inbounds."""
    networking = {"address": "192.0.2.10"}
    kuma.get_dataplane.return_value = None
    kuma.put_dataplane.return_value = (True, [])
    result = fail_result(dataplane, args(networking=networking, kuma_version="2.13.10"))
    assert "networking: has to contain at least one inbound interface or gateway" in result["msg"]
    assert called_methods(kuma) == []
    exit_result(dataplane, args(networking=networking, kuma_version="2.14.3"))


def test_unsupported_kuma_version(kuma):
    result = fail_result(dataplane, args(kuma_version="1.8.0"))
    assert result["msg"].startswith("kuma_version: unsupported Kuma version")
    assert called_methods(kuma) == []


def test_unreachable_cp_names_the_url(kuma):
    kuma.get_dataplane.side_effect = KumaUnreachable(
        "kuma-cp at %s is unreachable after 5 attempts: [Errno 111] Connection refused" % URL,
        url=URL + "/meshes/default/dataplanes/web-1")
    result = fail_result(dataplane, args())
    assert URL in result["msg"]
    assert "unreachable" in result["msg"]
    assert "\n" not in result["msg"]
    assert not kuma.put_dataplane.called


def test_kuma_error_on_put_is_one_line_with_details(kuma):
    kuma.get_dataplane.return_value = None
    kuma.put_dataplane.side_effect = KumaError(
        "kuma-cp PUT %s/meshes/nomesh/dataplanes/web-1 answered 404: Failed to retrieve Mesh" % URL,
        url=URL + "/meshes/nomesh/dataplanes/web-1", status=404)
    result = fail_result(dataplane, args(mesh="nomesh"))
    assert result["msg"].startswith("kuma-cp PUT ")
    assert result["status"] == 404


def test_env_fallback_for_url(kuma, monkeypatch):
    monkeypatch.setenv("KUMA_CP_URL", "http://from-env.test:5681")
    kuma.get_dataplane.return_value = as_kuma_returns(build_resource("web-1", "default", NETWORKING))
    exit_result(dataplane, dict(name="web-1", networking=copy.deepcopy(NETWORKING)))
    assert kuma.get_dataplane.call_args[0][0].url == "http://from-env.test:5681"


def test_missing_url_is_reported(kuma, monkeypatch):
    monkeypatch.delenv("KUMA_CP_URL", raising=False)
    result = fail_result(dataplane, dict(name="web-1", networking=copy.deepcopy(NETWORKING)))
    assert "KUMA_CP_URL" in result["msg"]


def test_networking_required_for_present(kuma):
    result = fail_result(dataplane, dict(url=URL, name="web-1"))
    assert "networking" in result["msg"]
    assert called_methods(kuma) == []


# --------------------------------------------------------------------------- direct

TEMPLATE_NETWORKING = {
    "address": "{{ address }}",
    "inbound": [{"port": "{{ port }}", "servicePort": 8080, "tags": {"kuma.io/service": "web"}}],
}


def direct_args(dest, **kw):
    base = dict(lifecycle="direct", name="web-1", dest=str(dest), networking=copy.deepcopy(TEMPLATE_NETWORKING),
                template_vars={"address": "192.0.2.10", "port": 18080})
    base.update(kw)
    return base


def test_direct_check_mode_writes_nothing(kuma, tmp_path):
    dest = tmp_path / "dataplane.yaml"
    result = exit_result(dataplane, direct_args(dest), check_mode=True, diff=True)
    assert result["changed"] is True
    assert not dest.exists()
    assert result["diff"]["before"] == ""
    assert 'address: "{{ address }}"' in result["diff"]["after"]
    assert called_methods(kuma) == []


def test_direct_create_unchanged_update_absent(kuma, tmp_path):
    dest = tmp_path / "dataplane.yaml"
    result = exit_result(dataplane, direct_args(dest))
    assert result["changed"] is True
    assert result["created"] is True
    text = dest.read_text()
    assert text.startswith("type: Dataplane\nmesh: default\nname: web-1\n")
    assert 'address: "{{ address }}"' in text
    assert 'port: "{{ port }}"' in text
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o640
    assert not [p for p in os.listdir(str(tmp_path)) if p != "dataplane.yaml"]

    result = exit_result(dataplane, direct_args(dest), diff=True)
    assert result["changed"] is False

    networking = copy.deepcopy(TEMPLATE_NETWORKING)
    networking["inbound"][0]["servicePort"] = 9090
    result = exit_result(dataplane, direct_args(dest, networking=networking, mode="0600"), diff=True)
    assert result["changed"] is True
    assert result["created"] is False
    assert "servicePort: 8080" in result["diff"]["before"]
    assert "servicePort: 9090" in result["diff"]["after"]
    assert result["diff"]["after_header"] == str(dest)
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600

    result = exit_result(dataplane, dict(lifecycle="direct", name="web-1", dest=str(dest), state="absent"))
    assert result["changed"] is True
    assert not dest.exists()
    result = exit_result(dataplane, dict(lifecycle="direct", name="web-1", dest=str(dest), state="absent"))
    assert result["changed"] is False
    assert called_methods(kuma) == []


def test_direct_mode_change_only(kuma, tmp_path):
    dest = tmp_path / "dataplane.yaml"
    exit_result(dataplane, direct_args(dest))
    result = exit_result(dataplane, direct_args(dest, mode="0644"))
    assert result["changed"] is True
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o644


def test_direct_validates_with_template_vars(kuma, tmp_path):
    dest = tmp_path / "dataplane.yaml"
    result = fail_result(dataplane, direct_args(dest, template_vars={"address": "0.0.0.0", "port": 0}))
    assert "networking.address: must not be 0.0.0.0 or ::" in result["msg"]
    assert "networking.inbound[0].port: port must be in the range [1, 65535]" in result["msg"]
    assert not dest.exists()


def test_direct_names_missing_template_vars(kuma, tmp_path):
    dest = tmp_path / "dataplane.yaml"
    result = fail_result(dataplane, direct_args(dest, template_vars={}))
    assert result["missing_template_vars"] == ["address", "port"]
    assert "address, port" in result["msg"]
    assert not dest.exists()


def test_direct_needs_dest(kuma):
    result = fail_result(dataplane, dict(lifecycle="direct", name="web-1", networking=copy.deepcopy(NETWORKING)))
    assert "dest" in result["msg"]


def test_direct_triple_mustache_and_labels(kuma, tmp_path):
    dest = tmp_path / "dataplane.yaml"
    networking = copy.deepcopy(TEMPLATE_NETWORKING)
    networking["inbound"][0]["tags"]["version"] = "{{{ version }}}"
    result = exit_result(dataplane, direct_args(dest, networking=networking, labels={"team": "{{team}}"},
                                                template_vars={"address": "192.0.2.10", "port": 18080,
                                                               "version": "v1", "team": "web"}))
    assert result["changed"] is True
    text = dest.read_text()
    assert 'version: "{{{ version }}}"' in text
    assert 'team: "{{team}}"' in text
    result = fail_result(dataplane, direct_args(dest, networking=networking,
                                                template_vars={"address": "192.0.2.10", "port": 18080,
                                                               "version": "v 1"}))
    assert 'networking.inbound[0].tags["version"]' in result["msg"]


def test_env_fallback_for_tls_options(kuma, monkeypatch):
    monkeypatch.setenv("KUMA_VALIDATE_CERTS", "false")
    monkeypatch.setenv("KUMA_TOKEN", "admin-token")
    monkeypatch.setenv("KUMA_VERSION", "2.13.10")
    kuma.get_dataplane.return_value = as_kuma_returns(build_resource("web-1", "default", NETWORKING))
    with mock.patch.object(dataplane, "validate_dataplane", wraps=dataplane.validate_dataplane) as validate:
        exit_result(dataplane, args(url="https://kuma-cp.test:5682"))
    assert validate.call_args[0][1] == "2.13"
    client = kuma.get_dataplane.call_args[0][0]
    assert client.token == "admin-token"
