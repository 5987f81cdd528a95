# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Unit tests of kumaops.mesh.mesh, driven by a patched KumaClient."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_client import KumaError, KumaUnreachable
from ansible_collections.kumaops.mesh.plugins.modules import mesh
from ansible_collections.kumaops.mesh.tests.unit.plugins.modules.utils import (
    called_methods, exit_result, fail_result, patched_client)

URL = "http://kuma-cp.test:5681"
MTLS = {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]}


def as_kuma_returns(spec, name="payments"):
    res = {"type": "Mesh", "name": name, "creationTime": "2026-01-01T00:00:00Z",
           "modificationTime": "2026-01-01T00:00:00Z", "kri": "kri_m____%s_" % name,
           "labels": {"kuma.io/origin": "zone"}}
    res.update(copy.deepcopy(spec))
    return res


@pytest.fixture(name="kuma")
def kuma_fixture():
    with patched_client() as mocks:
        yield mocks


def test_check_mode_create(kuma):
    kuma.get_mesh.return_value = None
    result = exit_result(mesh, dict(url=URL, name="payments", spec={"mtls": MTLS}), check_mode=True, diff=True)
    assert result["changed"] is True
    assert result["created"] is True
    assert result["diff"] == {"before": {}, "after": {"type": "Mesh", "name": "payments", "mtls": MTLS}}
    assert not kuma.put_mesh.called


def test_create(kuma):
    kuma.get_mesh.side_effect = [None, as_kuma_returns({"mtls": MTLS})]
    kuma.put_mesh.return_value = (True, [])
    result = exit_result(mesh, dict(url=URL, name="payments", spec={"mtls": MTLS}))
    assert result["changed"] is True
    assert result["created"] is True
    assert kuma.put_mesh.call_args[0][1] == {"type": "Mesh", "name": "payments", "mtls": MTLS}
    assert result["mesh"]["creationTime"] == "2026-01-01T00:00:00Z"


def test_unchanged_ignores_kuma_fields(kuma):
    kuma.get_mesh.return_value = as_kuma_returns({"mtls": MTLS})
    result = exit_result(mesh, dict(url=URL, name="payments", spec={"mtls": MTLS}))
    assert result["changed"] is False
    assert not kuma.put_mesh.called


def test_update_removes_a_field_left_out(kuma):
    kuma.get_mesh.return_value = as_kuma_returns({"mtls": MTLS})
    kuma.put_mesh.return_value = (False, [])
    result = exit_result(mesh, dict(url=URL, name="payments"), diff=True)
    assert result["changed"] is True
    assert result["created"] is False
    assert kuma.put_mesh.call_args[0][1] == {"type": "Mesh", "name": "payments"}
    assert "mtls" in result["diff"]["before"]
    assert "mtls" not in result["diff"]["after"]


def test_absent(kuma):
    kuma.get_mesh.return_value = as_kuma_returns({})
    result = exit_result(mesh, dict(url=URL, name="payments", state="absent"))
    assert result["changed"] is True
    assert kuma.delete_mesh.call_args[0][1] == "payments"
    kuma.get_mesh.return_value = None
    kuma.delete_mesh.reset_mock()
    result = exit_result(mesh, dict(url=URL, name="payments", state="absent"))
    assert result["changed"] is False
    assert not kuma.delete_mesh.called


def test_absent_check_mode(kuma):
    kuma.get_mesh.return_value = as_kuma_returns({})
    result = exit_result(mesh, dict(url=URL, name="payments", state="absent"), check_mode=True)
    assert result["changed"] is True
    assert not kuma.delete_mesh.called


def test_reserved_keys_in_spec(kuma):
    result = fail_result(mesh, dict(url=URL, name="payments", spec={"name": "x", "type": "Mesh"}))
    assert result["msg"] == "spec must not contain type, name: use the name option"
    assert called_methods(kuma) == []


def test_delete_refused_is_one_line(kuma):
    kuma.get_mesh.return_value = as_kuma_returns({})
    kuma.delete_mesh.side_effect = KumaError(
        "kuma-cp DELETE %s/meshes/payments answered 400: Could not delete a resource: mesh: unable to delete "
        "mesh, there are still some dataplanes attached" % URL, url=URL + "/meshes/payments", status=400,
        invalid_parameters=[{"field": "mesh", "reason": "unable to delete mesh"}])
    result = fail_result(mesh, dict(url=URL, name="payments", state="absent"))
    assert "still some dataplanes attached" in result["msg"]
    assert result["invalid_parameters"] == [{"field": "mesh", "reason": "unable to delete mesh"}]


def test_unreachable(kuma):
    kuma.get_mesh.side_effect = KumaUnreachable("kuma-cp at %s is unreachable after 5 attempts: timed out" % URL,
                                                url=URL + "/meshes/payments")
    result = fail_result(mesh, dict(url=URL, name="payments"))
    assert result["msg"] == "kuma-cp at %s is unreachable after 5 attempts: timed out" % URL
    assert result["url"] == URL + "/meshes/payments"
