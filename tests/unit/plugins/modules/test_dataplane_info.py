# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Unit tests of kumaops.mesh.dataplane_info, driven by a patched KumaClient.

The overview items follow the shape of Kuma 2.14.3's DataplaneOverview
(DataplaneOverview.json / DataplaneInsight.json and openapi.yaml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_client import KumaUnreachable
from ansible_collections.kumaops.mesh.plugins.modules import dataplane_info
from ansible_collections.kumaops.mesh.tests.unit.plugins.modules.utils import (
    exit_result, fail_result, patched_client)

URL = "http://kuma-cp.test:5681"


def subscription(cp, connected=True, disconnected=False, dp="2.14.3", envoy="1.35.3"):
    sub = {"id": "sub-%s" % cp, "controlPlaneInstanceId": cp,
           "version": {"kumaDp": {"version": dp}, "envoy": {"version": envoy}}}
    if connected:
        sub["connectTime"] = "2026-01-01T00:00:00Z"
    if disconnected:
        sub["disconnectTime"] = "2026-01-01T01:00:00Z"
    return sub


def overview(name, subscriptions, inbounds=None, mesh="default"):
    inbounds = inbounds if inbounds is not None else [{"port": 18080, "servicePort": 8080,
                                                       "tags": {"kuma.io/service": "web"}}]
    return {"type": "DataplaneOverview", "mesh": mesh, "name": name,
            "creationTime": "2026-01-01T00:00:00Z", "labels": {"kuma.io/origin": "zone"},
            "dataplane": {"networking": {"address": "192.0.2.10", "inbound": inbounds}},
            "dataplaneInsight": {"subscriptions": subscriptions}}


@pytest.fixture(name="kuma")
def kuma_fixture():
    with patched_client() as mocks:
        yield mocks


def by_name(result):
    return dict((d["name"], d) for d in result["dataplanes"])


def test_online_computation(kuma):
    kuma.dataplane_overviews.return_value = [
        overview("web-2", [subscription("cp-a", disconnected=True), subscription("cp-b", dp="2.14.2")]),
        overview("web-1", [subscription("cp-a", disconnected=True)]),
        overview("web-3", []),
        overview("web-4", [subscription("cp-a", connected=False)]),
    ]
    result = exit_result(dataplane_info, dict(url=URL, mesh="default"))
    assert result["changed"] is False
    assert [d["name"] for d in result["dataplanes"]] == ["web-1", "web-2", "web-3", "web-4"]
    dps = by_name(result)
    assert dps["web-2"]["online"] is True
    assert dps["web-2"]["connected_cp"] == "cp-b"
    assert dps["web-2"]["kuma_dp_version"] == "2.14.2"
    assert dps["web-2"]["envoy_version"] == "1.35.3"
    assert dps["web-2"]["status"] == "online"
    assert dps["web-1"]["online"] is False
    assert dps["web-1"]["connected_cp"] is None
    assert dps["web-1"]["kuma_dp_version"] == "2.14.3"
    assert dps["web-1"]["status"] == "offline"
    assert dps["web-3"]["online"] is False
    assert dps["web-3"]["kuma_dp_version"] is None
    assert dps["web-4"]["online"] is False
    assert dps["web-2"]["resource"]["type"] == "Dataplane"
    assert dps["web-2"]["resource"]["networking"]["address"] == "192.0.2.10"
    assert kuma.dataplane_overviews.call_args[1] == {"mesh": "default", "name": None, "tags": None}


def test_snake_case_subscription_fields(kuma):
    """The JSON schema spells the subscription fields with their proto names."""
    sub = {"control_plane_instance_id": "cp-z", "connect_time": "2026-01-01T00:00:00Z",
           "version": {"kuma_dp": {"version": "2.13.10"}, "envoy": {"version": "1.34.1"}}}
    kuma.dataplane_overviews.return_value = [overview("web-1", [sub])]
    dp = exit_result(dataplane_info, dict(url=URL))["dataplanes"][0]
    assert dp["online"] is True
    assert dp["connected_cp"] == "cp-z"
    assert dp["kuma_dp_version"] == "2.13.10"


def test_inbound_readiness(kuma):
    inbounds = [
        {"port": 18080, "tags": {"kuma.io/service": "web"}},
        {"port": 18081, "tags": {"kuma.io/service": "api"}, "health": {"ready": True}},
        {"port": 18082, "tags": {"kuma.io/service": "adm"}, "health": {}},
    ]
    kuma.dataplane_overviews.return_value = [
        overview("web-1", [subscription("cp-a")], inbounds),
        overview("web-2", [subscription("cp-a")], [{"port": 1, "health": {"ready": False}}]),
    ]
    dps = by_name(exit_result(dataplane_info, dict(url=URL)))
    assert [i["ready"] for i in dps["web-1"]["inbounds"]] == [True, True, False]
    assert dps["web-1"]["status"] == "partially_degraded"
    assert dps["web-2"]["online"] is True
    assert dps["web-2"]["status"] == "offline"


def test_filters_and_exact_name(kuma):
    kuma.dataplane_overviews.return_value = [overview("web-1", []), overview("web-10", [])]
    result = exit_result(dataplane_info, dict(url=URL, mesh="default", name="web-1",
                                              tags={"kuma.io/service": "web"}), check_mode=True)
    assert [d["name"] for d in result["dataplanes"]] == ["web-1"]
    assert kuma.dataplane_overviews.call_args[1] == {"mesh": "default", "name": "web-1",
                                                     "tags": {"kuma.io/service": "web"}}


def test_unreachable(kuma):
    kuma.dataplane_overviews.side_effect = KumaUnreachable(
        "kuma-cp at %s is unreachable after 5 attempts: [Errno 111] Connection refused" % URL, url=URL)
    result = fail_result(dataplane_info, dict(url=URL))
    assert URL in result["msg"]
    assert result["dataplanes"] == []
