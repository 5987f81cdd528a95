# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""A generator of Dataplane specs, good and bad, covering every validation rule.

Deterministic for a seed. Each spec starts from a valid Dataplane and gets one
to three mutations, each from a rule family (names, addresses, ports, tags,
protocols, outbounds, admin port, gateways, inbound-less dataplanes), so that
the project's validator and the real kuma-cp can be compared spec by spec.
"""

import copy
import random

BASE = {
    "type": "Dataplane", "mesh": "default", "name": "dp",
    "networking": {
        "address": "10.0.0.1",
        "inbound": [{"port": 10001, "servicePort": 8080,
                     "tags": {"kuma.io/service": "web", "kuma.io/protocol": "http"}}],
        "outbound": [{"port": 20001, "tags": {"kuma.io/service": "redis"}}],
    },
}

PORTS = [0, 1, 80, 10001, 20001, 65535, 65536, 99999]
ADDRESSES = ["10.0.0.2", "192.168.1.1", "::1", "fd00::5", "example.com", "my-host.local", "", "0.0.0.0", "::",
             "not an address", "300.1.1.1", "-bad-.com"]
TAG_NAMES = ["app", "version", "kuma.io/zone", "team.io/owner", "a b", "bad!", "x" * 10, "k:v"]
TAG_VALUES = ["v1", "a.b-c_d:e", "", "has space", "bad/slash", "UPPER", "x" * 40]
PROTOCOLS = ["http", "http2", "grpc", "tcp", "kafka", "HTTP", "smtp", "udp", "tls", ""]
NAMES = ["dp", "dp-1", "web.node-1", "a" * 63, "Upper", "under_score", "-start", "end-", "dot..dot", "x" * 254]


def _inbound(net, i=0):
    inbounds = net.setdefault("inbound", [])
    while len(inbounds) <= i:
        inbounds.append({"port": 10100 + len(inbounds), "servicePort": 8100 + len(inbounds),
                         "tags": {"kuma.io/service": "svc%d" % len(inbounds)}})
    return inbounds[i]


def m_name(r, d):
    d["name"] = r.choice(NAMES)


def m_address(r, d):
    d["networking"]["address"] = r.choice(ADDRESSES)


def m_inbound_port(r, d):
    _inbound(d["networking"], r.randrange(2))["port"] = r.choice(PORTS)


def m_service_port(r, d):
    _inbound(d["networking"], 0)["servicePort"] = r.choice(PORTS)


def m_inbound_address(r, d):
    ib = _inbound(d["networking"], 0)
    key = r.choice(["address", "serviceAddress"])
    ib[key] = r.choice(ADDRESSES)


def m_service_address_same(r, d):
    ib = _inbound(d["networking"], 0)
    ib["serviceAddress"] = d["networking"]["address"]
    ib["servicePort"] = ib["port"]


def m_drop_service_tag(r, d):
    _inbound(d["networking"], 0).get("tags", {}).pop("kuma.io/service", None)


def m_drop_all_tags(r, d):
    _inbound(d["networking"], 0).pop("tags", None)


def m_tag(r, d):
    _inbound(d["networking"], 0).setdefault("tags", {})[r.choice(TAG_NAMES)] = r.choice(TAG_VALUES)


def m_service_value(r, d):
    _inbound(d["networking"], 0).setdefault("tags", {})["kuma.io/service"] = r.choice(TAG_VALUES)


def m_protocol(r, d):
    _inbound(d["networking"], 0).setdefault("tags", {})["kuma.io/protocol"] = r.choice(PROTOCOLS)


def m_no_inbounds(r, d):
    d["networking"]["inbound"] = []


def m_outbound_port(r, d):
    d["networking"]["outbound"][0]["port"] = r.choice(PORTS)


def m_outbound_address(r, d):
    d["networking"]["outbound"][0]["address"] = r.choice(ADDRESSES)


def m_outbound_no_service(r, d):
    d["networking"]["outbound"][0]["tags"] = r.choice([{}, {"app": "x"}])


def m_outbound_backend_ref(r, d):
    ob = d["networking"]["outbound"][0]
    ob["backendRef"] = r.choice([{"kind": "MeshService", "name": "redis", "port": 6379},
                                 {"kind": "MeshService", "name": "redis"},
                                 {"kind": "Bogus", "name": "redis", "port": 6379},
                                 {"kind": "MeshService", "port": 6379}])
    if r.random() < 0.5:
        ob.pop("tags", None)


def m_admin(r, d):
    d["networking"]["admin"] = {"port": r.choice(PORTS + [10001, 20001, 9901])}


def m_gateway(r, d):
    gw = {"tags": {"kuma.io/service": "edge"}}
    kind = r.choice(["DELEGATED", "BUILTIN", None])
    if kind:
        gw["type"] = kind
    if r.random() < 0.4:
        gw["tags"]["kuma.io/protocol"] = r.choice(["tcp", "http"])
    if r.random() < 0.2:
        gw["tags"] = {}
    d["networking"]["gateway"] = gw
    if r.random() < 0.5:
        d["networking"].pop("inbound", None)
        if r.random() < 0.5:
            d["networking"].pop("outbound", None)


def m_second_inbound_same_port(r, d):
    first = _inbound(d["networking"], 0)
    second = _inbound(d["networking"], 1)
    second["port"] = first.get("port", 10001)


MUTATIONS = [m_name, m_address, m_inbound_port, m_service_port, m_inbound_address, m_service_address_same,
             m_drop_service_tag, m_drop_all_tags, m_tag, m_service_value, m_protocol, m_no_inbounds,
             m_outbound_port, m_outbound_address, m_outbound_no_service, m_outbound_backend_ref, m_admin,
             m_gateway, m_second_inbound_same_port]


def corpus(count=320, seed=20261122):
    """``count`` (label, spec) pairs; the first is the valid base, then every
    mutation alone at least once, then random combinations of 1-3 mutations."""
    r = random.Random(seed)
    out = [("base", copy.deepcopy(BASE))]
    plans = [[m] for m in MUTATIONS]
    while len(out) + len(plans) < count:
        plans.append(r.sample(MUTATIONS, r.randint(1, 3)))
    for i, plan in enumerate(plans):
        spec = copy.deepcopy(BASE)
        spec["name"] = "dp-%03d" % i
        for m in plan:
            m(r, spec)
        out.append(("%03d-%s" % (i, "+".join(m.__name__[2:] for m in plan)), spec))
    return out[:count]
