# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Unit tests of plugins/module_utils/dataplane.py.

The Dataplane specs and expected violations of KUMA_VALID / KUMA_INVALID are
test data taken from Kuma's own table,
kumahq/kuma pkg/core/resources/apis/mesh/dataplane_validator_test.go
("should pass validation" and "should validate all fields and return as much
individual errors as possible"), written here as Python dicts.  That table
is the 2.9..2.13 generation, so it is run against 2.13.10; every case it holds
is also valid/invalid in the same way on 2.14.3 except the two documented
differences, which have their own tests below.
"""

import copy

import pytest

from ansible_collections.kumaops.mesh.plugins.module_utils import dataplane

try:
    import yaml
except ImportError:  # pragma: no cover
    yaml = None

V213 = "2.13.10"
V214 = "2.14.3"
BOTH = (V213, V214)


def dp(networking=None, **extra):
    res = {"type": "Dataplane", "name": "dp-1", "mesh": "default"}
    if networking is not None:
        res["networking"] = networking
    res.update(extra)
    return res


def svc(name, **tags):
    t = {"kuma.io/service": name}
    t.update(tags)
    return t


def pairs(violations):
    return sorted((v.field, v.message) for v in violations)


def exp(*items):
    return sorted(items)


PORT_RANGE = "port must be in the range [1, 65535]"
KINDS = "invalid value. Available values are: MeshExternalService,MeshMultiZoneService,MeshService"
RFC1123 = ("invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
           "characters, '-' or '.', and must start and end with an alphanumeric character")

# --------------------------------------------------------------------------
# Kuma's "should pass validation" entries
# --------------------------------------------------------------------------

KUMA_VALID = {
    "dataplane with inbounds": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "tags": svc("redis")}]}),
    "dataplane with full inbounds and outbounds": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 8080, "servicePort": 7777, "address": "127.0.0.1", "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "address": "127.0.0.1", "tags": svc("redis")}]}),
    "dataplane with full inbounds and outbounds ipv6": dp({
        "address": "0:0:0:0:0:FFFF:C0A8:0001",
        "inbound": [{"port": 8080, "servicePort": 7777, "address": "::1", "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "address": "::1", "tags": svc("redis")}]}),
    "dataplane with gateway": dp({
        "address": "192.168.0.1",
        "gateway": {"tags": svc("backend", **{"kuam.io/protocol": "tcp", "version": "1"})},
        "outbound": [{"port": 3333, "tags": svc("redis")}]}),
    "dataplane with valid tags": dp({
        "address": "192.168.0.1",
        "gateway": {"tags": svc("backend", **{"version": "1", "kuma.io/valid": "abc.0123-789.under_score:90"})},
        "outbound": [{"port": 3333, "tags": svc("redis")}]}),
    "dataplane domain name in the address": dp({
        "address": "example.com",
        "inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "tags": svc("redis")}]}),
    "dataplane with probes": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "tags": svc("redis")}]},
        probes={"port": 9000, "endpoints": [{"inboundPort": 8088, "inboundPath": "/healthz", "path": "/8080/healthz"}]}),
    "dataplane with service probes": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 8080, "serviceProbe": {"interval": "1s", "unhealthyThreshold": 5, "tcp": {}},
                     "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "tags": svc("redis")}]}),
    "dataplane with admin port equal to inbound and outbound but different network interfaces": dp({
        "address": "192.168.0.1",
        "admin": {"port": 8080},
        "inbound": [{"port": 8080, "servicePort": 7777, "address": "192.168.0.1", "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "address": "192.168.0.1", "tags": svc("redis")}]}),
    "dataplane with metrics backend defined and unique aggregate entries": dp({
        "address": "192.168.0.1",
        "admin": {"port": 8080},
        "inbound": [{"port": 8080, "servicePort": 7777, "address": "192.168.0.1", "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "address": "192.168.0.1", "tags": svc("redis")}]},
        metrics={"type": "prometheus", "conf": {"aggregate": [
            {"name": "app", "port": 123, "path": "/stats"}, {"name": "sidecar", "port": 999, "path": "/metrics"}]}}),
    "dataplane with backend ref for MeshService": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "backendRef": {"kind": "MeshService", "name": "xyz", "port": 80}}]}),
    "dataplane with backend ref for MeshExternalService": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "backendRef": {"kind": "MeshExternalService", "name": "xyz"}}]}),
    "dataplane with reachableBackendRefs": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
        "transparentProxying": {"reachableBackends": {"refs": [
            {"kind": "MeshService", "name": "a", "port": 9090},
            {"kind": "MeshExternalService", "name": "es", "namespace": "es1"},
            {"kind": "MeshService", "labels": {"kuma.io/test": "abc"}}]}}}),
    "dataplane with backend ref with labels": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
        "outbound": [{"port": 3333, "backendRef": {"kind": "MeshService",
                                                   "labels": {"kuma.io/display-name": "redis"}, "port": 8080}}]}),
    # entries of the failing table that expect no violations
    "inbound service address": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 10001, "serviceAddress": "192.168.0.2", "servicePort": 5050, "address": "1.1.1.1",
                     "tags": svc("backend")}]}),
    "inbound service address different inbound address and port": dp({
        "address": "192.168.0.1",
        "inbound": [{"port": 10001, "address": "192.168.0.2", "serviceAddress": "192.168.0.2", "servicePort": 10002,
                     "tags": svc("backend")}]}),
}


@pytest.mark.parametrize("version", BOTH)
@pytest.mark.parametrize("name", sorted(KUMA_VALID))
def test_kuma_valid_cases(name, version):
    assert dataplane.validate_dataplane(KUMA_VALID[name], version) == []


# --------------------------------------------------------------------------
# Kuma's "should validate all fields ..." entries
# --------------------------------------------------------------------------

KUMA_INVALID = {
    "networking.address: can't use 0.0.0.0": (
        dp({"address": "0.0.0.0", "inbound": [{"port": 8080, "tags": svc("backend")}]}),
        [("networking.address", "must not be 0.0.0.0 or ::")]),
    "networking.address: can't use ::": (
        dp({"address": "::", "inbound": [{"port": 8080, "tags": svc("backend")}]}),
        [("networking.address", "must not be 0.0.0.0 or ::")]),
    "networking: not enough inbound interfaces and no gateway": (
        dp({"address": "192.168.0.1", "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [("networking", "has to contain at least one inbound interface or gateway")]),
    "missing networking": (
        dp(),
        [("networking", "must be defined")]),
    "networking empty": (
        dp({}),
        [("networking", "has to contain at least one inbound interface or gateway"),
         ("networking.address", "address can't be empty")]),
    "networking.address: empty": (
        dp({"inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [("networking.address", "address can't be empty")]),
    "networking.address: invalid format": (
        dp({"address": "..>_<..", "inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [("networking.address", "address has to be valid IP address or domain name")]),
    "networking: both inbounds and gateway are defined": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 8080, "servicePort": 7777, "tags": svc("backend", version="1")}],
            "gateway": {"tags": svc("kong")},
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [("networking.inbound", "inbound cannot be defined for delegated gateways")]),
    "networking: builtin gateway must not have inbounds": (
        dp({"address": "192.168.0.1", "gateway": {"type": "BUILTIN", "tags": svc("kong")},
            "inbound": [{"port": 3333, "tags": svc("kong")}]}),
        [("networking.inbound", "inbound cannot be defined for builtin gateways")]),
    "networking: builtin gateway must not have outbounds": (
        dp({"address": "192.168.0.1", "gateway": {"type": "BUILTIN", "tags": svc("kong")},
            "outbound": [{"port": 3333, "tags": svc("kong")}]}),
        [("networking.outbound", "outbound cannot be defined for builtin gateways")]),
    "networking: builtin gateway must not have probes": (
        dp({"address": "192.168.0.1", "gateway": {"type": "BUILTIN", "tags": svc("kong")}},
           probes={"port": 0, "endpoints": [{"inboundPort": 8088, "inboundPath": "/healthz",
                                             "path": "/8080/healthz"}]}),
        [("networking.probes", "probes cannot be defined for builtin gateways")]),
    "networking: builtin gateway must have a service tag": (
        dp({"address": "192.168.0.1", "gateway": {"type": "BUILTIN", "tags": {"foo": "bar"}}}),
        [("networking.gateway.tags", 'mandatory tag "kuma.io/service" is missing')]),
    "networking.inbound: port of the range": (
        dp({"address": "192.168.0.1",
            "inbound": [{"tags": svc("backend", version="1")}, {"port": 65536, "tags": svc("sub-backend")}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [("networking.inbound[0].port", PORT_RANGE), ("networking.inbound[1].port", PORT_RANGE)]),
    "networking.inbound: servicePort out of the range": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 1234, "servicePort": 65536, "tags": svc("backend")}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [("networking.inbound[0].servicePort", PORT_RANGE)]),
    "networking.inbound: invalid address": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 1234, "address": "invalid-address", "tags": svc("backend")}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [("networking.inbound[0].address", "address has to be valid IP address")]),
    "networking.inbound: empty service tag": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 1234, "tags": {"version": "v1"}}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [('networking.inbound[0].tags["kuma.io/service"]', "tag has to exist")]),
    "networking.inbound: empty tag value": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 1234, "tags": svc("backend", version=None)}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [('networking.inbound[0].tags["version"]', "tag value must be non-empty")]),
    "networking.inbound: `protocol` tag with an empty value": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 1234, "tags": svc("backend", **{"kuma.io/protocol": None})}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [('networking.inbound[0].tags["kuma.io/protocol"]',
          'tag "kuma.io/protocol" has an invalid value "". Allowed values: grpc, http, http2, kafka, tcp'),
         ('networking.inbound[0].tags["kuma.io/protocol"]', "tag value must be non-empty")]),
    "networking.inbound: `protocol` tag with unsupported value": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 1234, "tags": svc("backend", **{"kuma.io/protocol": "not-yet-supported-protocol"})}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [('networking.inbound[0].tags["kuma.io/protocol"]',
          'tag "kuma.io/protocol" has an invalid value "not-yet-supported-protocol". '
          'Allowed values: grpc, http, http2, kafka, tcp')]),
    "networking.gateway: empty service tag": (
        dp({"address": "192.168.0.1", "gateway": {"tags": {"version": "v1"}},
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [("networking.gateway.tags", 'mandatory tag "kuma.io/service" is missing')]),
    "networking.gateway: empty tag value": (
        dp({"address": "192.168.0.1", "gateway": {"tags": svc("backend", version=None)},
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [('networking.gateway.tags["version"]', "tag value must be non-empty")]),
    "networking.gateway: protocol http": (
        dp({"address": "192.168.0.1", "gateway": {"tags": svc("backend", **{"kuma.io/protocol": "http"})},
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [('networking.gateway.tags["kuma.io/protocol"]', 'other values than tcp are not allowed, provided value "http"')]),
    "networking.outbound: empty service tag (no tags)": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 1234, "tags": svc("backend", version="v1")}],
            "outbound": [{"port": 3333}]}),
        [("networking.outbound[0].tags", 'mandatory tag "kuma.io/service" is missing')]),
    "networking.outbound: empty service tag (other tags)": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 1234, "tags": svc("backend", version="v1")}],
            "outbound": [{"port": 3333, "tags": {"version": "v1"}}]}),
        [("networking.outbound[0].tags", 'mandatory tag "kuma.io/service" is missing')]),
    "networking.outbound: port out of the range": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 1234, "tags": svc("backend", version="v1")}],
            "outbound": [{"tags": svc("redis")}, {"port": 65536, "tags": svc("elastic")}]}),
        [("networking.outbound[0].port", PORT_RANGE), ("networking.outbound[1].port", PORT_RANGE)]),
    "networking.outbound: invalid address": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 1234, "tags": svc("backend", version="v1")}],
            "outbound": [{"port": 3333, "address": "invalid", "tags": svc("elastic")}]}),
        [("networking.outbound[0].address", "address has to be valid IP address")]),
    "networking.inbound: tag name with invalid characters": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 1234, "tags": svc("backend", **{"version": "v1", "inv@lidT/gN%me": "value"})}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [('networking.inbound[0].tags["inv@lidT/gN%me"]',
          "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores")]),
    "networking.inbound: tag value with invalid characters": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 1234, "tags": svc("backend", version="v1", invalidTagValue="inv@lid+t@g")}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [('networking.inbound[0].tags["invalidTagValue"]',
          "tag value must consist of alphanumeric characters, dots, dashes and underscores")]),
    "inbound service address invalid": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 10001, "serviceAddress": "INVALID", "tags": svc("backend")}]}),
        [("networking.inbound[0].serviceAddress", "serviceAddress has to be valid IP address")]),
    "inbound service address overlap address": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 10001, "serviceAddress": "192.168.0.1", "tags": svc("backend")}]}),
        [("networking.inbound[0].serviceAddress", "serviceAddress and servicePort has to differ from address and port")]),
    "inbound service address overlap inbound address": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 10001, "address": "192.168.0.2",
                                                   "serviceAddress": "192.168.0.2", "tags": svc("backend")}]}),
        [("networking.inbound[0].serviceAddress", "serviceAddress and servicePort has to differ from address and port")]),
    "dataplane with virtual probe": (
        dp({"address": "192.168.0.1", "inbound": [{"port": 8080, "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]},
           probes={"port": 0, "endpoints": [
               {"inboundPort": 8088, "inboundPath": "/healthz", "path": "/8080/healthz"},
               {"inboundPort": 99999999, "inboundPath": "healthz", "path": "8080/healthz"},
               {"inboundPort": 1000, "inboundPath": None, "path": None}]}),
        [("probes.port", PORT_RANGE),
         ("probes.endpoints[1].inboundPort", PORT_RANGE),
         ("probes.endpoints[1].inboundPath", "should be a valid URL Path"),
         ("probes.endpoints[1].path", "should be a valid URL Path"),
         ("probes.endpoints[2].inboundPath", "should be a valid URL Path"),
         ("probes.endpoints[2].path", "should be a valid URL Path")]),
    "dataplane with service probe": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 8080, "serviceProbe": {"timeout": "1s", "interval": "0", "healthyThreshold": 5,
                                                        "unhealthyThreshold": 0, "tcp": {}},
                         "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "tags": svc("redis")}]}),
        [("networking.inbound[0].serviceProbe.interval", "must have a positive value"),
         ("networking.inbound[0].serviceProbe.unhealthyThreshold", "must have a positive value")]),
    "dataplane with admin port equal to inbound": (
        dp({"address": "192.168.0.1", "admin": {"port": 8080},
            "inbound": [{"port": 8080, "servicePort": 7777, "address": "127.0.0.1", "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "address": "127.0.0.1", "tags": svc("redis")}]}),
        [("networking.admin.port", "must differ from inbound")]),
    "dataplane with admin port equal to outbound": (
        dp({"address": "192.168.0.1", "admin": {"port": 3333},
            "inbound": [{"port": 8080, "servicePort": 7777, "address": "127.0.0.1", "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "address": "127.0.0.1", "tags": svc("redis")}]}),
        [("networking.admin.port", "must differ from outbound")]),
    "dataplane with duplicate metrics entry": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 8080, "servicePort": 7777, "address": "192.168.0.1", "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "address": "192.168.0.1", "tags": svc("redis")}]},
           metrics={"type": "prometheus", "conf": {"aggregate": [
               {"name": "app", "port": 123, "path": "/stats"}, {"name": "app", "port": 999, "path": "/metrics"},
               {"name": "duplicate-app", "port": 12366, "path": "/duplicate"},
               {"name": "duplicate-app", "port": 12345, "path": "/other"}]}}),
        [("metrics.conf.aggregate[1].name", "duplicate entry: app, values have to be unique"),
         ("metrics.conf.aggregate[3].name", "duplicate entry: duplicate-app, values have to be unique")]),
    "dataplane with not supported metrics type": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 8080, "servicePort": 7777, "address": "192.168.0.1", "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "address": "192.168.0.1", "tags": svc("redis")}]},
           metrics={"type": "custom-backend"}),
        [("metrics.type", 'unknown backend type. Available backends: "prometheus"')]),
    "dataplane with empty backend ref": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 8080, "servicePort": 7777, "address": "192.168.0.1", "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "backendRef": {}}]}),
        [("networking.outbound[0].backendRef.kind", KINDS),
         ("networking.outbound[0].backendRef", "either 'name' or 'labels' should be specified"),
         ("networking.outbound[0].backendRef.port", PORT_RANGE)]),
    "backend ref clashes with tags or service and missing port": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 8080, "servicePort": 7777, "address": "192.168.0.1", "tags": svc("backend", version="1")}],
            "outbound": [{"port": 3333, "tags": svc("xyz"), "backendRef": {"kind": "MeshService", "name": "xyz", "port": 8080}},
                         {"port": 3334, "tags": {"service": "xyz"}, "backendRef": {"kind": "MeshService", "name": "xyz"}}]}),
        [("networking.outbound[0].backendRef", "both backendRef and tags/service cannot be defined"),
         ("networking.outbound[1].backendRef.port", PORT_RANGE),
         ("networking.outbound[1].backendRef", "both backendRef and tags/service cannot be defined")]),
    "transparent proxy with reachable backend refs": (
        dp({"address": "192.168.0.1",
            "inbound": [{"port": 8080, "servicePort": 7777, "address": "192.168.0.1", "tags": svc("backend", version="1")}],
            "transparentProxying": {"reachableBackends": {"refs": [
                {"kind": "Something", "name": "first", "labels": {"kuma.io/test": "test"}},
                {"kind": "MeshService", "name": "second", "namespace": "not-valid", "labels": {"kuma.io/test": "test"}},
                {"kind": "MeshService", "name": "third", "labels": {"kuma.io/test": "test"}},
                {"kind": "MeshService", "name": "first$-.kuma"},
                {"kind": "MeshService"},
                {"kind": "MeshService", "namespace": "xyz"}]}}}),
        [("networking.transparentProxing.reachableBackends.refs[0].kind", KINDS),
         ("networking.transparentProxing.reachableBackends.refs[0].labels", "labels cannot be defined when name is specified"),
         ("networking.transparentProxing.reachableBackends.refs[1].labels", "labels cannot be defined when name is specified"),
         ("networking.transparentProxing.reachableBackends.refs[2].labels", "labels cannot be defined when name is specified"),
         ("networking.transparentProxing.reachableBackends.refs[3].name", RFC1123),
         ("networking.transparentProxing.reachableBackends.refs[4].name", "name or labels are required"),
         ("networking.transparentProxing.reachableBackends.refs[5].name", "name is required, when namespace is defined")]),
}


@pytest.mark.parametrize("name", sorted(KUMA_INVALID))
def test_kuma_invalid_cases_213(name):
    resource, expected = KUMA_INVALID[name]
    assert pairs(dataplane.validate_dataplane(resource, V213)) == exp(*expected)


# On 2.14 every case gives the same violations except the two rules that 2.14
# dropped (kumahq/kuma#15685 zero inbounds, #15458 tag-less inbounds).
_DIFF_214 = {
    "networking: not enough inbound interfaces and no gateway": [],
    "networking empty": [("networking.address", "address can't be empty")],
}


@pytest.mark.parametrize("name", sorted(KUMA_INVALID))
def test_kuma_invalid_cases_214(name):
    resource, expected = KUMA_INVALID[name]
    expected = _DIFF_214.get(name, expected)
    assert pairs(dataplane.validate_dataplane(resource, V214)) == exp(*expected)


def test_kuma_table_is_large_enough():
    assert len(KUMA_VALID) + len(KUMA_INVALID) >= 40


def test_order_of_violations_follows_kuma():
    # Kuma's own expected order for the protocol-tag case: tags validator first, then per-key checks.
    resource, expected = KUMA_INVALID["networking.inbound: `protocol` tag with an empty value"]
    got = [(v.field, v.message) for v in dataplane.validate_dataplane(resource, V213)]
    assert got == expected
    resource, expected = KUMA_INVALID["dataplane with virtual probe"]
    got = [(v.field, v.message) for v in dataplane.validate_dataplane(resource, V213)]
    assert got == expected


# --------------------------------------------------------------------------
# 2.13 vs 2.14
# --------------------------------------------------------------------------

def test_zero_inbounds_213_rejected_214_allowed():
    r = dp({"address": "10.0.100.3", "transparentProxying": {"redirectPortInbound": 15006,
                                                             "redirectPortOutbound": 15001}})
    assert pairs(dataplane.validate_dataplane(r, V213)) == [
        ("networking", "has to contain at least one inbound interface or gateway")]
    assert dataplane.validate_dataplane(r, V214) == []


def test_untagged_inbound_213_rejected_214_allowed():
    r = dp({"address": "10.0.0.1", "inbound": [{"port": 8080}, {"port": 8081, "tags": {}}]})
    assert pairs(dataplane.validate_dataplane(r, V213)) == exp(
        ('networking.inbound[0].tags["kuma.io/service"]', "tag has to exist"),
        ('networking.inbound[1].tags["kuma.io/service"]', "tag has to exist"))
    assert dataplane.validate_dataplane(r, V214) == []


@pytest.mark.parametrize("version", BOTH)
def test_tagged_inbound_without_service_rejected_in_both(version):
    r = dp({"address": "10.0.0.1", "inbound": [{"port": 8080, "tags": {"version": "v1"}}]})
    assert pairs(dataplane.validate_dataplane(r, version)) == [
        ('networking.inbound[0].tags["kuma.io/service"]', "tag has to exist")]


def test_inbound_name_and_protocol_fields_accepted_214():
    r = dp({"address": "10.0.0.1", "inbound": [{"port": 8080, "name": "http-port", "protocol": "http"}]})
    assert dataplane.validate_dataplane(r, V214) == []


@pytest.mark.parametrize("version", BOTH)
def test_gateway_still_requires_service_tag(version):
    r = dp({"address": "10.0.0.1", "gateway": {"tags": {}}})
    assert pairs(dataplane.validate_dataplane(r, version)) == [
        ("networking.gateway.tags", 'mandatory tag "kuma.io/service" is missing')]


def test_minor_of():
    assert dataplane.minor_of("2.14.3") == "2.14"
    assert dataplane.minor_of("2.13.10") == "2.13"
    assert dataplane.minor_of("v2.14.0-rc1") == "2.14"
    for bad in ("2.12.5", "3.0.0", "garbage", "", None, 2.14):
        with pytest.raises(ValueError):
            dataplane.minor_of(bad)
    with pytest.raises(ValueError):
        dataplane.validate_dataplane(KUMA_VALID["dataplane with inbounds"], "2.15.0")
    assert dataplane.SUPPORTED_MINORS == ("2.13", "2.14")


# --------------------------------------------------------------------------
# meta (name / mesh), meta_validator.go
# --------------------------------------------------------------------------

def _ok_net():
    return {"address": "10.0.0.1", "inbound": [{"port": 8080, "tags": svc("web")}]}


@pytest.mark.parametrize("version", BOTH)
@pytest.mark.parametrize("name,mesh,expected", [
    ("web-01.example", "default", []),
    ("", "default", [("name", "cannot be empty")]),
    ("Web_01", "default", [("name", RFC1123)]),
    ("-web", "default", [("name", RFC1123)]),
    ("web.", "default", [("name", RFC1123)]),
    ("a" * 253, "default", []),
    ("a" * 254, "default", [("name", "value length must less or equal 253")]),
    ("web", "", [("mesh", "cannot be empty")]),
    ("web", "my_mesh.v1-x", []),
    ("web", "My Mesh", [("mesh", "invalid characters. Valid characters are numbers, lowercase latin letters "
                                 "and '-', '_', '.' symbols.")]),
])
def test_meta(name, mesh, expected, version):
    r = dataplane.build_resource(name, mesh, _ok_net())
    assert pairs(dataplane.validate_dataplane(r, version)) == exp(*expected)


# --------------------------------------------------------------------------
# details of the port
# --------------------------------------------------------------------------

@pytest.mark.parametrize("address,expected", [
    ("10.0.0.1", []),
    ("fd00::1", []),
    ("::ffff:10.0.0.1", []),
    ("host-1.example.com", []),
    ("under_score.local", []),
    ("010.0.0.1", []),  # not an IP for Go (leading zero) but a valid DNS name
    ("fe80::1%eth0", [("networking.address", "address has to be valid IP address or domain name")]),
    ("bad host", [("networking.address", "address has to be valid IP address or domain name")]),
    ("{{ address }}", [("networking.address", "address has to be valid IP address or domain name")]),
])
def test_networking_address(address, expected):
    r = dp({"address": address, "inbound": [{"port": 8080, "tags": svc("web")}]})
    assert pairs(dataplane.validate_dataplane(r)) == exp(*expected)


def test_admin_port_against_default_workload_ip():
    # No serviceAddress: the workload IP is the dataplane IP, so only a loopback dataplane clashes.
    r = dp({"address": "127.0.0.1", "admin": {"port": 9901},
            "inbound": [{"port": 8080, "servicePort": 9901, "tags": svc("web")}]})
    assert pairs(dataplane.validate_dataplane(r)) == [("networking.admin.port", "must differ from inbound")]
    r["networking"]["address"] = "10.0.0.1"
    assert dataplane.validate_dataplane(r) == []
    r["networking"]["inbound"][0]["serviceAddress"] = "127.0.0.1"
    assert pairs(dataplane.validate_dataplane(r)) == [("networking.admin.port", "must differ from inbound")]


def test_outbound_default_address_is_loopback():
    r = dp({"address": "10.0.0.1", "admin": {"port": 5000},
            "inbound": [{"port": 8080, "tags": svc("web")}], "outbound": [{"port": 5000, "tags": svc("db")}]})
    assert pairs(dataplane.validate_dataplane(r)) == [("networking.admin.port", "must differ from outbound")]


def test_protocol_tag_case_insensitive_and_key_quoting():
    r = dp({"address": "10.0.0.1", "inbound": [{"port": 8080, "tags": svc("web", **{"kuma.io/protocol": "HTTP"})}]})
    assert dataplane.validate_dataplane(r) == []
    r = dp({"address": "10.0.0.1", "inbound": [{"port": 8080, "tags": svc("web", **{'we"ird': "v"})}]})
    assert pairs(dataplane.validate_dataplane(r)) == [
        ('networking.inbound[0].tags["we\\"ird"]',
         "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores")]


def test_parse_level_problems_are_reported():
    r = dp({"address": "10.0.0.1", "inbound": [{"port": "http", "tags": svc("web", version=1)}]})
    fields = [v.field for v in dataplane.validate_dataplane(r)]
    assert "networking.inbound[0].port" in fields
    assert 'networking.inbound[0].tags["version"]' in fields
    # numeric strings are accepted, as protojson does
    r = dp({"address": "10.0.0.1", "inbound": [{"port": "8080", "tags": svc("web")}]})
    assert dataplane.validate_dataplane(r) == []


def test_validate_or_raise():
    dataplane.validate_or_raise(KUMA_VALID["dataplane with inbounds"])
    resource, expected = KUMA_INVALID["dataplane with virtual probe"]
    with pytest.raises(dataplane.DataplaneValidationError) as ei:
        dataplane.validate_or_raise(resource, V213)
    err = ei.value
    assert isinstance(err, ValueError)
    assert [(v.field, v.message) for v in err.violations] == expected
    assert str(err) == "; ".join("%s: %s" % p for p in expected)
    assert str(err).startswith("probes.port: port must be in the range [1, 65535]; probes.endpoints[1].inboundPort")


def test_violation_equality():
    a = dataplane.Violation("networking", "must be defined")
    assert a == dataplane.Violation("networking", "must be defined")
    assert a != dataplane.Violation("networking", "other")
    assert (a.field, a.message) == ("networking", "must be defined")
    assert str(a) == "networking: must be defined"
    assert len({a, dataplane.Violation("networking", "must be defined")}) == 1


def test_wrong_type_is_refused():
    with pytest.raises(ValueError):
        dataplane.validate_dataplane({"type": "Mesh", "name": "x"})


# --------------------------------------------------------------------------
# build_resource / normalize_for_compare
# --------------------------------------------------------------------------

def test_build_resource_key_order():
    net = _ok_net()
    r = dataplane.build_resource("web-1", "default", net, labels={"team": "a"})
    assert list(r) == ["type", "mesh", "name", "labels", "networking"]
    assert r["type"] == "Dataplane"
    r2 = dataplane.build_resource("web-1", "default", net)
    assert list(r2) == ["type", "mesh", "name", "networking"]
    r2["networking"]["address"] = "changed"
    assert net["address"] == "10.0.0.1"  # copied, not aliased


def _desired():
    return dataplane.build_resource("web-1", "default", {
        "address": "10.0.0.1",
        "inbound": [{"port": 8080, "tags": svc("web", version="v1")}, {"port": 9090}],
    }, labels={"team": "a"})


def test_normalize_for_compare_drops_cp_additions():
    desired = _desired()
    actual = copy.deepcopy(desired)
    actual["creationTime"] = "2026-01-01T00:00:00Z"
    actual["modificationTime"] = "2026-01-01T00:00:00Z"
    actual["kri"] = "kri_dp_default_zone-1__web-1_"
    actual["labels"].update({"kuma.io/env": "universal", "kuma.io/mesh": "default", "kuma.io/origin": "zone",
                             "kuma.io/proxy-type": "sidecar", "kuma.io/zone": "zone-1"})
    actual["networking"]["inbound"][0]["tags"]["kuma.io/zone"] = "zone-1"
    actual["networking"]["inbound"][1]["tags"] = {"kuma.io/zone": "zone-1"}
    assert dataplane.normalize_for_compare(actual) == dataplane.normalize_for_compare(desired)
    assert dataplane.normalize_for_compare(desired) == desired
    assert actual["kri"]  # input untouched


def test_normalize_for_compare_drops_empty_labels_and_keeps_real_differences():
    desired = dataplane.build_resource("web-1", "default", {"address": "10.0.0.1"})
    actual = copy.deepcopy(desired)
    actual["labels"] = {"kuma.io/origin": "zone"}
    assert "labels" not in dataplane.normalize_for_compare(actual)
    actual["labels"] = {}
    assert "labels" not in dataplane.normalize_for_compare(actual)
    actual["networking"]["address"] = "10.0.0.2"
    assert dataplane.normalize_for_compare(actual) != dataplane.normalize_for_compare(desired)
    d2 = _desired()
    a2 = copy.deepcopy(d2)
    a2["networking"]["inbound"][0]["tags"]["version"] = "v2"
    assert dataplane.normalize_for_compare(a2) != dataplane.normalize_for_compare(d2)


# --------------------------------------------------------------------------
# render_dataplane_yaml
# --------------------------------------------------------------------------

TEMPLATE = dataplane.build_resource("{{ name }}", "default", {
    "address": "{{ address }}",
    "inbound": [{"port": 8080, "servicePort": 80, "serviceAddress": "127.0.0.1",
                 "tags": {"kuma.io/service": "web", "kuma.io/protocol": "http", "version": "1"}}],
    "outbound": [{"port": 33033, "tags": {"kuma.io/service": "db"}}],
    "admin": {"port": 9901},
}, labels={"team": "{{{ team }}}"})

TRICKY = {
    "type": "Dataplane", "mesh": "default", "name": "x",
    "labels": {"yes": "no", "on": "off", "null": "~", "empty": "", "space": " lead", "trail": "trail ",
               "int": "123", "float": "1.5", "exp": "1e3", "hex": "0x1F", "octal": "0o17", "sexa": "1:20",
               "date": "2026-01-01", "colon": "a: b", "hash": "a #b", "star": "*alias", "amp": "&anchor",
               "bang": "!tag", "pct": "%x", "at": "@x", "tick": "`x`", "quote": "it's \"q\"", "dash": "-",
               "dashx": "- x", "q": "?", "brace": "{a}", "brack": "[a]", "comma": "a,b", "pipe": "|",
               "gt": ">", "nl": "a\nb", "tab": "a\tb", "bs": "a\\b", "uni": "żółw", "endcolon": "abc:",
               "TRUE": "True", "nan": ".nan", "inf": "-.inf", "tilde": "~x", "merge": "<<", "eq": "="},
    "networking": {"address": "10.0.0.1", "inbound": [], "outbound": [{}], "gateway": {},
                   "admin": None, "flag": True, "n": 0, "neg": -1, "nested": [[1, 2], [], [{"a": [3]}]]},
}


def test_render_is_deterministic_and_ordered():
    text = dataplane.render_dataplane_yaml(TEMPLATE)
    assert text == dataplane.render_dataplane_yaml(copy.deepcopy(TEMPLATE))
    assert text.endswith("\n")
    top = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert top == ["type", "mesh", "name", "labels", "networking"]
    assert text.splitlines()[0] == "type: Dataplane"
    assert 'name: "{{ name }}"' in text
    assert 'address: "{{ address }}"' in text
    assert 'team: "{{{ team }}}"' in text
    assert "  inbound:\n    - port: 8080\n      servicePort: 80\n" in text


def test_render_expected_text():
    r = dataplane.build_resource("web-1", "default", {
        "address": "10.0.0.1",
        "inbound": [{"port": 8080, "tags": {"kuma.io/service": "web", "version": "1"}}],
    })
    assert dataplane.render_dataplane_yaml(r) == (
        "type: Dataplane\n"
        "mesh: default\n"
        "name: web-1\n"
        "networking:\n"
        '  address: "10.0.0.1"\n'
        "  inbound:\n"
        "    - port: 8080\n"
        "      tags:\n"
        "        kuma.io/service: web\n"
        '        version: "1"\n'
    )


@pytest.mark.skipif(yaml is None, reason="PyYAML not importable")
@pytest.mark.parametrize("resource", [TEMPLATE, TRICKY, KUMA_VALID["dataplane with reachableBackendRefs"],
                                      KUMA_VALID["dataplane with probes"]], ids=["template", "tricky", "tp", "probes"])
def test_render_round_trip(resource):
    assert yaml.safe_load(dataplane.render_dataplane_yaml(resource)) == resource


@pytest.mark.skipif(yaml is None, reason="PyYAML not importable")
def test_mustache_variables_survive_rendering():
    text = dataplane.render_dataplane_yaml(TEMPLATE)
    for var in ("{{ name }}", "{{ address }}", "{{{ team }}}"):
        assert var in text
    # What kuma-dp does: substitute the variables, then parse the YAML.
    rendered = text.replace("{{ name }}", "web-1").replace("{{ address }}", "10.0.0.7").replace("{{{ team }}}", "a")
    loaded = yaml.safe_load(rendered)
    assert loaded["name"] == "web-1"
    assert loaded["networking"]["address"] == "10.0.0.7"
    assert dataplane.validate_dataplane(loaded, V213) == []
    assert dataplane.validate_dataplane(loaded, V214) == []


def test_render_scalars_without_yaml():
    text = dataplane.render_dataplane_yaml(TRICKY)
    for line in ('  "yes": "no"', '  "on": "off"', '  empty: ""', '  int: "123"', '  sexa: "1:20"',
                 '  nl: "a\\nb"', '  bs: "a\\\\b"', '  quote: "it\'s \\"q\\""', "  gateway: {}",
                 "  inbound: []", "    - {}", "  admin: null", "  flag: true", "  neg: -1"):
        assert line in text.splitlines(), line
