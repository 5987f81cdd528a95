# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Pure-Python port of Kuma's Dataplane validation, plus a Direct-mode renderer.
#
# Stdlib only, Python 3.8+: this file is Ansible module_utils and may run on
# target hosts.
#
# Source of truth: kumahq/kuma Go source, read through the stored copies of
#   * pkg/core/resources/apis/mesh/dataplane_validator.go  (Validate, validateNetworking,
#     validateInbound, validateOutbound, validateGateway, validateProbes,
#     validateTransparentProxying, validateMetricsBackend, validateAddress)
#   * pkg/core/resources/apis/mesh/validators.go           (ValidateTags, validateTagKeyValues,
#     ValidatePort, ValidateDuration, ValidateThreshold, AllowedValuesHint)
#   * pkg/core/resources/apis/mesh/meta_validator.go       (ValidateMeta, ValidateMesh,
#     validateIdentifier)
#   * pkg/core/resources/apis/mesh/dataplane_helpers.go and
#     api/mesh/v1alpha1/dataplane_helpers.go               (UsesInbound/OutboundInterface, overlap,
#     ToInboundInterface, ToOutboundInterface)
#   * pkg/core/validators/types.go                         (ValidationError, PathBuilder)
#   * asaskevich/govalidator IsIP / IsDNSName              (used by validateAddress)
# The expected reasons and field paths of the unit tests come from
# pkg/core/resources/apis/mesh/dataplane_validator_test.go.
#
# Version differences (2.13 = v2.13.10, 2.14 = v2.14.3).  The newest stored
# dataplane_validator.go is the 2.9..2.13 generation; the 2.14 changes are
# modelled after the kumahq/kuma pull requests that describe them:
#   * #15458 (merged 2026-01-29, "allow empty inbound tags"): an inbound with
#     no tags at all is valid; an inbound with any tag still needs
#     kuma.io/service ("tag has to exist").
#   * #15685 (merged 2026-02-23, "allow zero-inbound dataplanes"): the
#     "has to contain at least one inbound interface or gateway" check was
#     removed from the sidecar (non-gateway) branch.
#   * #15445 added `networking.inbound[].protocol` (and the 2.14 schema has
#     inbound `name` and networking `listeners`); none of the material read
#     shows a validator rule for those fields, so none is enforced here.
#   * #17610/#17611 relaxed the gateway kuma.io/service requirement for empty
#     gateway tags on release-2.14 on 2026-07-24; it could not be confirmed
#     whether v2.14.3 contains it, so the gateway still requires the tag here.
#
# Ambiguities (say so rather than guess silently):
#   * The stored dataplane_validator.go carries no tag; it is taken to be what
#     v2.13.10 ships (its test table matches it, it already knows
#     MeshMultiZoneService and reachableBackends).
#   * #15458 changed the expected answer of pkg/api-server/testdata/resources/
#     crud/put_dataplanes_04.golden.json (an inbound tagged only with
#     `version`) in a way the stored excerpt does not show in full; the 2.14
#     reason for "tags without kuma.io/service" is assumed to stay
#     'tag has to exist' at networking.inbound[i].tags["kuma.io/service"].
#   * validatePrometheusConfig (metrics.conf) was not readable; only the
#     duplicate aggregate-name rule from the test table is ported.
#   * Labels, networking.listeners (2.14), and the Kubernetes-only ingress
#     forms are not validated.


import copy
import ipaddress
import math
import re
from collections import namedtuple

SUPPORTED_MINORS = ("2.13", "2.14")

SERVICE_TAG = "kuma.io/service"
PROTOCOL_TAG = "kuma.io/protocol"
ZONE_TAG = "kuma.io/zone"

# Kuma's SupportedProtocols, in the order AllowedValuesHint prints them.
SUPPORTED_PROTOCOLS = ("grpc", "http", "http2", "kafka", "tcp")
# ParseProtocol (lower-cased) also knows "tls" in the newest stored copy of
# pkg/core/resources/apis/mesh/dataplane_helpers.go, although "tls" is not in
# the hint list; an inbound kuma.io/protocol "tls" therefore passes.
_PARSEABLE_PROTOCOLS = frozenset(SUPPORTED_PROTOCOLS + ("tls",))

_ALLOWED_BACKEND_KINDS = ("MeshExternalService", "MeshMultiZoneService", "MeshService")

_MAX_UINT32 = 2 ** 32 - 1

# Go regexps (anchored with ^...$, RE2 semantics); used with re.fullmatch.
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9.\-_:/]*")
_TAG_VALUE_RE = re.compile(r"[a-zA-Z0-9.\-_:]*")
_IDENTIFIER_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_IDENTIFIER_MSG = (
    "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an alphanumeric character"
)
_MESH_NAME_RE = re.compile(r"[0-9a-z_.\-]*")
_MESH_NAME_MSG = "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_', '.' symbols."
# govalidator's DNSName pattern.
_DNS_NAME_RE = re.compile(r"([a-zA-Z0-9_]{1}[a-zA-Z0-9_-]{0,62}){1}(\.[a-zA-Z0-9_]{1}[a-zA-Z0-9_-]{0,62})*[\._]?")

# Messages of checks that Kuma performs while *parsing* the JSON/YAML into
# its protobuf (before the validator runs).  They are not Kuma's words; they
# exist so that a value Kuma would refuse to parse is not reported as valid.
_PARSE_INT_MSG = "kumaops: invalid value %s: Kuma expects an unsigned 32-bit integer here"
_PARSE_STR_MSG = "kumaops: invalid value %s: Kuma expects a string here"
_PARSE_OBJ_MSG = "kumaops: invalid value: Kuma expects an object here"
_PARSE_LIST_MSG = "kumaops: invalid value: Kuma expects a list here"
_PARSE_DURATION_MSG = "kumaops: invalid duration %s"


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------

_ViolationBase = namedtuple("Violation", ("field", "message"))


class Violation(_ViolationBase):
    """One Kuma validation violation: equality and hashing by (field, message)."""

    __slots__ = ()

    def __str__(self):
        return "%s: %s" % (self.field, self.message)


class DataplaneValidationError(ValueError):
    """Raised by validate_or_raise; str() mirrors Kuma's ValidationError.Error()."""

    def __init__(self, violations):
        self.violations = list(violations)
        super(DataplaneValidationError, self).__init__(str(self))

    def __str__(self):
        return "; ".join("%s: %s" % (v.field, v.message) for v in self.violations)


_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.\-+]*)?")


def minor_of(version):
    """'2.14.3' -> '2.14'; raises ValueError for anything unsupported."""
    if not isinstance(version, str):
        raise ValueError("Kuma version must be a string, got %r" % (version,))
    m = _VERSION_RE.fullmatch(version.strip())
    if not m:
        raise ValueError("cannot parse Kuma version %r" % (version,))
    minor = "%d.%d" % (int(m.group(1)), int(m.group(2)))
    if minor not in SUPPORTED_MINORS:
        raise ValueError("unsupported Kuma version %r: supported minors are %s" % (version, ", ".join(SUPPORTED_MINORS)))
    return minor


def validate_dataplane(resource, kuma_version="2.14.3"):
    """Validate a flat Dataplane resource; returns a list of Violation ([] if valid)."""
    minor = minor_of(kuma_version)
    if not isinstance(resource, dict):
        raise TypeError("resource must be a dict, got %s" % type(resource).__name__)
    rtype = resource.get("type", "Dataplane")
    if rtype != "Dataplane":
        raise ValueError("resource type must be 'Dataplane', got %r" % (rtype,))
    errs = _Errors()
    errs.add(_validate_meta(resource))
    errs.add(_validate_spec(resource, minor))
    return errs.violations


def validate_or_raise(resource, kuma_version="2.14.3"):
    violations = validate_dataplane(resource, kuma_version)
    if violations:
        raise DataplaneValidationError(violations)


def build_resource(name, mesh, networking, labels=None):
    """Flat resource dict in Kuma's key order: type, mesh, name, labels?, networking."""
    res = {"type": "Dataplane", "mesh": mesh, "name": name}
    if labels:
        res["labels"] = copy.deepcopy(dict(labels))
    res["networking"] = copy.deepcopy(networking)
    return res


def normalize_for_compare(resource):
    """Drop what kuma-cp adds on GET, so a desired and an actual resource compare equal.

    Removed: creationTime, modificationTime, kri; labels whose key starts with
    "kuma.io/" (kuma.io/env, kuma.io/mesh, kuma.io/origin, kuma.io/proxy-type,
    kuma.io/zone, ...); an empty labels map; the kuma.io/zone tag the
    dataplane manager puts on inbound tags.  An inbound tags map left empty by
    that is dropped too (Kuma treats an empty map and an absent one alike).
    """
    res = copy.deepcopy(resource)
    if not isinstance(res, dict):
        return res
    for key in ("creationTime", "modificationTime", "kri"):
        res.pop(key, None)
    labels = res.get("labels")
    if isinstance(labels, dict):
        kept = dict((k, v) for k, v in labels.items() if not str(k).startswith("kuma.io/"))
        if kept:
            res["labels"] = kept
        else:
            res.pop("labels")
    elif "labels" in res and not labels:
        res.pop("labels")
    networking = res.get("networking")
    if isinstance(networking, dict) and isinstance(networking.get("inbound"), list):
        for inbound in networking["inbound"]:
            if isinstance(inbound, dict) and isinstance(inbound.get("tags"), dict):
                if ZONE_TAG in inbound["tags"]:
                    inbound["tags"].pop(ZONE_TAG)
                    if not inbound["tags"]:
                        inbound.pop("tags")
    return res


def render_dataplane_yaml(resource):
    """Deterministic block YAML for `kuma-dp run --dataplane-file` (keys in given order).

    kuma-dp renders the file as a mustache template before parsing the YAML,
    so values such as "{{ address }}" are kept verbatim, inside double quotes.
    """
    lines = []
    if isinstance(resource, dict) and resource:
        _emit_mapping(resource, 0, lines)
    elif isinstance(resource, list) and resource:
        _emit_sequence(resource, 0, lines)
    else:
        lines.append(_scalar(resource))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# validators.ValidationError / PathBuilder
# --------------------------------------------------------------------------

class _Path(tuple):
    """Port of validators.PathBuilder: a list of already rendered segments."""

    def field(self, name):
        return _Path(self + (".%s" % name,))

    def index(self, i):
        return _Path(self + ("[%d]" % i,))

    def key(self, k):
        return _Path(self + ("[%s]" % _go_quote(k),))

    def __str__(self):
        return "".join(self)


def _root(name):
    return _Path((name,))


class _Errors(object):
    """Port of validators.ValidationError (Add, AddViolation(At), AddError(At))."""

    def __init__(self):
        self.violations = []

    def violation(self, field, message):
        self.violations.append(Violation(str(field), message))

    def add(self, other):
        self.add_at("", other)

    def add_at(self, root, other):
        root = str(root)
        for v in other.violations:
            if v.field == "":
                field = root
            elif root:
                field = "%s.%s" % (root, v.field)
            else:
                field = v.field
            self.violations.append(Violation(field, v.message))


def _go_quote(s):
    """Go's %q for a string (strconv.Quote), as used by PathBuilder.Key."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\a":
            out.append("\\a")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\v":
            out.append("\\v")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        elif o >= 0x80 and not ch.isprintable():
            out.append("\\u%04x" % o if o <= 0xFFFF else "\\U%08x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# --------------------------------------------------------------------------
# input helpers (protojson parsing tolerance)
# --------------------------------------------------------------------------

def _get(d, camel, snake=None):
    """protojson accepts both the lowerCamel JSON name and the proto field name."""
    if not isinstance(d, dict):
        return None
    if camel in d:
        return d[camel]
    if snake is not None:
        return d.get(snake)
    return None


def _uint(value, path, errs):
    """uint32 field value; None/absent is 0.  Records a parse violation otherwise."""
    if value is None:
        return 0
    if isinstance(value, bool):
        errs.violation(path, _PARSE_INT_MSG % _go_quote(str(value).lower()))
        return 0
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip() or "x"):
        n = int(value.strip())
    else:
        errs.violation(path, _PARSE_INT_MSG % _go_quote(str(value)))
        return 0
    if n < 0 or n > _MAX_UINT32:
        errs.violation(path, _PARSE_INT_MSG % _go_quote(str(value)))
        return 0
    return n


def _string(value, path, errs):
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    errs.violation(path, _PARSE_STR_MSG % _go_quote(str(value)))
    return str(value)


def _mapping(value, path, errs):
    """map<string,string> (tags, labels): None -> {}; non-string values flagged."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        errs.violation(path, _PARSE_OBJ_MSG)
        return {}
    out = {}
    for k, v in value.items():
        k = str(k)
        out[k] = _string(v, path.key(k), errs)
    return out


def _obj(value, path, errs):
    """A message field: None stays None (unset); non-dicts are flagged."""
    if value is None:
        return None
    if not isinstance(value, dict):
        errs.violation(path, _PARSE_OBJ_MSG)
        return None
    return value


def _objects(value, path, errs):
    """A repeated message field: returns a list of dicts (non-dict items flagged)."""
    if value is None:
        return []
    if not isinstance(value, list):
        errs.violation(path, _PARSE_LIST_MSG)
        return []
    out = []
    for i, item in enumerate(value):
        if item is None:
            item = {}
        if not isinstance(item, dict):
            errs.violation(path.index(i), _PARSE_OBJ_MSG)
            item = {}
        out.append(item)
    return out


# --------------------------------------------------------------------------
# net.ParseIP / govalidator
# --------------------------------------------------------------------------

_IPV4_RE = re.compile(r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")


def _parse_ip(s):
    """Go's net.ParseIP: returns an ipaddress object or None.

    IPv4 must be dotted decimal without leading zeros; IPv6 must not carry a
    zone.  An IPv4-mapped IPv6 address is returned as its IPv4 address, so
    that == behaves like Go's net.IP.Equal.
    """
    if not isinstance(s, str) or not s:
        return None
    if _IPV4_RE.fullmatch(s):
        return ipaddress.IPv4Address(s)
    if ":" not in s or "%" in s:
        return None
    try:
        ip = ipaddress.IPv6Address(s)
    except ValueError:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _is_ip(s):
    return _parse_ip(s) is not None


def _is_dns_name(s):
    if s == "" or len(s.replace(".", "")) > 255:
        return False
    return not _is_ip(s) and _DNS_NAME_RE.fullmatch(s) is not None


_LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


def _overlap(a, b):
    # Go's IsUnspecified on a nil IP is false, and nil never Equals anything.
    if (a is not None and a.is_unspecified) or (b is not None and b.is_unspecified):
        return True
    return a is not None and b is not None and a == b


# --------------------------------------------------------------------------
# ValidatePort / ValidateTags / durations / URLs
# --------------------------------------------------------------------------

def _validate_port(path, port):
    errs = _Errors()
    if port == 0 or port > 65535:
        errs.violation(path, "port must be in the range [1, 65535]")
    return errs


def _validate_tags(path, tags, require_service=False, tags_validators=()):
    """validators.go ValidateTags -> validateTagKeyValues (keys visited sorted)."""
    errs = _Errors()
    for validate in tags_validators:
        errs.add(validate(path, tags))
    for key in sorted(tags):
        if key == "":
            errs.violation(path, "tag name must be non-empty")
        if not _TAG_NAME_RE.fullmatch(key):
            errs.violation(path.key(key), "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores")
        value = tags[key]
        if value == "":
            errs.violation(path.key(key), "tag value must be non-empty")
        if not _TAG_VALUE_RE.fullmatch(value):
            errs.violation(path.key(key), "tag value must consist of alphanumeric characters, dots, dashes and underscores")
    if require_service and SERVICE_TAG not in tags:
        errs.violation(path, "mandatory tag %s is missing" % _go_quote(SERVICE_TAG))
    return errs


_GO_DURATION_RE = re.compile(r"([-+]?)((?:[0-9]*(?:\.[0-9]*)?(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+|0)")
_DURATION_PART_RE = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _duration_seconds(value):
    """Seconds of a duration given as "1s", "1.5s", "500ms", "1m30s", "0", or a number.

    Returns None when the value cannot be parsed.  (Kuma's YAML loader turned
    the test-table value "0" into a zero duration, which is why it is accepted.)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    m = _GO_DURATION_RE.fullmatch(value.strip())
    if not m:
        return None
    body = m.group(2)
    if body == "0":
        return 0.0
    total = 0.0
    for num, unit in _DURATION_PART_RE.findall(body):
        if num in ("", "."):
            return None
        total += float(num) * _UNIT_SECONDS[unit]
    return -total if m.group(1) == "-" else total


def _validate_duration(path, value):
    errs = _Errors()
    seconds = _duration_seconds(value)
    if seconds is None:
        errs.violation(path, _PARSE_DURATION_MSG % _go_quote(str(value)))
    elif seconds == 0:
        errs.violation(path, "must have a positive value")
    return errs


def _validate_threshold(path, value, abs_path, parse):
    errs = _Errors()
    if isinstance(value, dict):  # google.protobuf.UInt32Value written as {"value": n}
        value = value.get("value")
    if _uint(value, abs_path, parse) == 0:
        errs.violation(path, "must have a positive value")
    return errs


_SCHEME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*:")


def _is_request_uri(s):
    """Go's url.ParseRequestURI succeeds (the cases a probe path can hit)."""
    if s == "":
        return False
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in s):
        return False
    if s == "*":
        return True
    path = s.split("?", 1)[0]
    if not _SCHEME_RE.match(path):
        if path.startswith(":"):
            return False
        if not path.startswith("/"):
            return False
    # invalid percent-escapes make the path unescaping fail
    i = 0
    while i < len(path):
        if path[i] == "%":
            if not re.fullmatch(r"[0-9a-fA-F]{2}", path[i + 1:i + 3]):
                return False
            i += 3
        else:
            i += 1
    return True


# --------------------------------------------------------------------------
# meta_validator.go
# --------------------------------------------------------------------------

def _validate_identifier(value, regexp, msg):
    errs = _Errors()
    if value == "":
        errs.violation("", "cannot be empty")
    elif len(value) > 253:
        errs.violation("", "value length must less or equal 253")
    elif not regexp.fullmatch(value):
        errs.violation("", msg)
    return errs


def _validate_meta(resource):
    errs = _Errors()
    parse = _Errors()
    name = _string(resource.get("name"), _root("name"), parse)
    mesh = _string(resource.get("mesh"), _root("mesh"), parse)
    _mapping(resource.get("labels"), _root("labels"), parse)
    errs.add(parse)
    errs.add_at("name", _validate_identifier(name, _IDENTIFIER_RE, _IDENTIFIER_MSG))
    errs.add_at("mesh", _validate_identifier(mesh, _MESH_NAME_RE, _MESH_NAME_MSG))
    return errs


# --------------------------------------------------------------------------
# dataplane_validator.go
# --------------------------------------------------------------------------

def _validate_spec(resource, minor):
    errs = _Errors()
    parse = _Errors()
    net = _root("networking")
    networking = _obj(resource.get("networking"), net, parse)
    if networking is None:
        errs.add(parse)
        errs.violation(net, "must be defined")
        return errs

    inbounds = _objects(networking.get("inbound"), net.field("inbound"), parse)
    outbounds = _objects(networking.get("outbound"), net.field("outbound"), parse)
    gateway = _obj(networking.get("gateway"), net.field("gateway"), parse)
    probes = _obj(resource.get("probes"), _root("probes"), parse)
    metrics = _obj(resource.get("metrics"), _root("metrics"), parse)
    address = _string(networking.get("address"), net.field("address"), parse)

    admin = _obj(networking.get("admin"), net.field("admin"), parse)
    if admin is not None:
        admin_port_path = net.field("admin").field("port")
        admin_port = _uint(admin.get("port"), admin_port_path, parse)
        if _uses_inbound_interface(networking, inbounds, _LOOPBACK, admin_port):
            errs.violation(admin_port_path, "must differ from inbound")
        if _uses_outbound_interface(outbounds, _LOOPBACK, admin_port):
            errs.violation(admin_port_path, "must differ from outbound")

    gateway_type = _gateway_type(gateway)
    if gateway_type == "UNKNOWN":
        parse.violation(net.field("gateway").field("type"),
                        "kumaops: invalid value %s: Kuma expects DELEGATED or BUILTIN" % _go_quote(str(gateway.get("type"))))
    if gateway is not None and gateway_type == "DELEGATED":
        if inbounds:
            errs.violation(net.field("inbound"), "inbound cannot be defined for delegated gateways")
        errs.add_at(net.field("gateway"), _validate_gateway(gateway, parse))
        errs.add(_validate_networking(networking, inbounds, outbounds, address, minor, parse))
        errs.add(_validate_probes(probes, parse))
    elif gateway is not None and gateway_type == "BUILTIN":
        if inbounds:
            errs.violation(net.field("inbound"), "inbound cannot be defined for builtin gateways")
        if outbounds:
            errs.violation(net.field("outbound"), "outbound cannot be defined for builtin gateways")
        if probes is not None:
            errs.violation(net.field("probes"), "probes cannot be defined for builtin gateways")
        errs.add_at(net.field("gateway"), _validate_gateway(gateway, parse))
        errs.add(_validate_networking(networking, inbounds, outbounds, address, minor, parse))
    else:
        # <= 2.13 only; removed for 2.14 by kumahq/kuma#15685.
        if minor == "2.13" and not inbounds:
            errs.violation(net, "has to contain at least one inbound interface or gateway")
        errs.add(_validate_networking(networking, inbounds, outbounds, address, minor, parse))
        errs.add(_validate_probes(probes, parse))
        if metrics is not None:
            errs.add(_validate_metrics(metrics, parse))

    # Parse-level problems first: Kuma would not even reach the validator.
    out = _Errors()
    out.add(parse)
    out.add(errs)
    return out


def _gateway_type(gateway):
    if gateway is None:
        return None
    t = gateway.get("type", "DELEGATED")
    if t in (None, "DELEGATED", 0):
        return "DELEGATED"
    if t in ("BUILTIN", 1):
        return "BUILTIN"
    return "UNKNOWN"


def _inbound_interfaces(networking, inbounds):
    """api/mesh/v1alpha1 ToInboundInterface for every inbound (newest stored copy:
    the workload IP defaults to the dataplane IP, not 127.0.0.1)."""
    ifaces = []
    dp_address = networking.get("address") if isinstance(networking.get("address"), str) else ""
    for inbound in inbounds:
        scratch = _Errors()
        port = _uint(inbound.get("port"), _root("x"), scratch)
        service_port = _uint(_get(inbound, "servicePort", "service_port"), _root("x"), scratch)
        address = inbound.get("address") if isinstance(inbound.get("address"), str) else ""
        service_address = _get(inbound, "serviceAddress", "service_address")
        service_address = service_address if isinstance(service_address, str) else ""
        dp_ip = address or dp_address
        ifaces.append({
            "dataplane_ip": dp_ip,
            "dataplane_port": port,
            "workload_ip": service_address or dp_ip,
            "workload_port": service_port or port,
        })
    return ifaces


def _uses_inbound_interface(networking, inbounds, address, port):
    for iface in _inbound_interfaces(networking, inbounds):
        if port == iface["dataplane_port"] and _overlap(address, _parse_ip(iface["dataplane_ip"])):
            return True
        if port == iface["workload_port"] and _overlap(address, _parse_ip(iface["workload_ip"])):
            return True
    return False


def _uses_outbound_interface(outbounds, address, port):
    for outbound in outbounds:
        scratch = _Errors()
        oport = _uint(outbound.get("port"), _root("x"), scratch)
        oaddr = outbound.get("address") if isinstance(outbound.get("address"), str) and outbound.get("address") else "127.0.0.1"
        if port == oport and _overlap(address, _parse_ip(oaddr)):
            return True
    return False


def _validate_networking(networking, inbounds, outbounds, address, minor, parse):
    errs = _Errors()
    path = _root("networking")
    errs.add(_validate_address(path, address))
    for i, inbound in enumerate(inbounds):
        field = path.field("inbound").index(i)
        tags = _mapping(inbound.get("tags"), field.field("tags"), parse)
        errs.add_at(field, _validate_inbound(inbound, tags, address, field, parse))
        # <= 2.13: the service tag is always required.  2.14 (kumahq/kuma#15458):
        # only when the inbound carries any tag at all.
        if SERVICE_TAG not in tags and (minor == "2.13" or len(tags) > 0):
            errs.violation(field.field("tags").key(SERVICE_TAG), "tag has to exist")
    for i, outbound in enumerate(outbounds):
        field = path.field("outbound").index(i)
        errs.add_at(field, _validate_outbound(outbound, field, parse))
    tp = _obj(_get(networking, "transparentProxying", "transparent_proxying"),
              path.field("transparentProxying"), parse)
    # "transparentProxing" (sic) is the path Kuma reports.
    errs.add_at(path.field("transparentProxing"), _validate_transparent_proxying(tp, parse))
    return errs


def _validate_address(path, address):
    errs = _Errors()
    if address == "":
        errs.violation(path.field("address"), "address can't be empty")
        return errs
    if address in ("0.0.0.0", "::"):
        errs.violation(path.field("address"), "must not be 0.0.0.0 or ::")
    if not _is_ip(address) and not _is_dns_name(address):
        errs.violation(path.field("address"), "address has to be valid IP address or domain name")
    return errs


def _inbound_protocol_validator(path, tags):
    errs = _Errors()
    if PROTOCOL_TAG in tags:
        value = tags[PROTOCOL_TAG]
        if value.lower() not in _PARSEABLE_PROTOCOLS:
            errs.violation(path.key(PROTOCOL_TAG), "tag %s has an invalid value %s. Allowed values: %s" % (
                _go_quote(PROTOCOL_TAG), _go_quote(value), ", ".join(SUPPORTED_PROTOCOLS)))
    return errs


def _validate_inbound(inbound, tags, dp_address, abs_path, parse):
    """Violations relative to the inbound (fields "port", "tags[...]", ...)."""
    errs = _Errors()
    port = _uint(inbound.get("port"), abs_path.field("port"), parse)
    service_port = _uint(_get(inbound, "servicePort", "service_port"), abs_path.field("servicePort"), parse)
    service_address = _string(_get(inbound, "serviceAddress", "service_address"), abs_path.field("serviceAddress"), parse)
    address = _string(inbound.get("address"), abs_path.field("address"), parse)

    errs.add(_validate_port(_root("port"), port))
    if service_port != 0:
        errs.add(_validate_port(_root("servicePort"), service_port))
    if service_address != "":
        if not _is_ip(service_address):
            errs.violation(_root("serviceAddress"), "serviceAddress has to be valid IP address")
        if service_address == dp_address:
            if service_port == 0 or service_port == port:
                errs.violation(_root("serviceAddress"), "serviceAddress and servicePort has to differ from address and port")
    if address != "":
        if not _is_ip(address):
            errs.violation(_root("address"), "address has to be valid IP address")
        if address == service_address:
            if service_port == 0 or service_port == port:
                errs.violation(_root("serviceAddress"), "serviceAddress and servicePort has to differ from address and port")

    errs.add(_validate_tags(_root("tags"), tags, tags_validators=(_inbound_protocol_validator,)))
    probe = _obj(_get(inbound, "serviceProbe", "service_probe"), abs_path.field("serviceProbe"), parse)
    errs.add(_validate_service_probe(probe, abs_path.field("serviceProbe"), parse))
    return errs


def _validate_service_probe(probe, abs_path, parse):
    errs = _Errors()
    if probe is None:
        return errs
    path = _root("serviceProbe")
    if probe.get("interval") is not None:
        errs.add(_validate_duration(path.field("interval"), probe.get("interval")))
    if probe.get("timeout") is not None:
        errs.add(_validate_duration(path.field("timeout"), probe.get("timeout")))
    unhealthy = _get(probe, "unhealthyThreshold", "unhealthy_threshold")
    if unhealthy is not None:
        errs.add(_validate_threshold(path.field("unhealthyThreshold"), unhealthy,
                                     abs_path.field("unhealthyThreshold"), parse))
    healthy = _get(probe, "healthyThreshold", "healthy_threshold")
    if healthy is not None:
        errs.add(_validate_threshold(path.field("healthyThreshold"), healthy,
                                     abs_path.field("healthyThreshold"), parse))
    return errs


def _validate_outbound(outbound, abs_path, parse):
    errs = _Errors()
    port = _uint(outbound.get("port"), abs_path.field("port"), parse)
    address = _string(outbound.get("address"), abs_path.field("address"), parse)
    tags = _mapping(outbound.get("tags"), abs_path.field("tags"), parse)
    service = _string(outbound.get("service"), abs_path.field("service"), parse)
    backend_ref = _obj(_get(outbound, "backendRef", "backend_ref"), abs_path.field("backendRef"), parse)

    errs.add(_validate_port(_root("port"), port))
    if address != "" and not _is_ip(address):
        errs.violation("address", "address has to be valid IP address")

    if backend_ref is not None:
        kind = _string(backend_ref.get("kind"), abs_path.field("backendRef").field("kind"), parse)
        name = _string(backend_ref.get("name"), abs_path.field("backendRef").field("name"), parse)
        labels = _mapping(backend_ref.get("labels"), abs_path.field("backendRef").field("labels"), parse)
        ref_port = _uint(backend_ref.get("port"), abs_path.field("backendRef").field("port"), parse)
        if kind not in _ALLOWED_BACKEND_KINDS:
            errs.violation("backendRef.kind", "invalid value. Available values are: %s" % ",".join(_ALLOWED_BACKEND_KINDS))
        if name == "" and not labels:
            errs.violation("backendRef", "either 'name' or 'labels' should be specified")
        # the port of a MeshExternalService comes from its endpoints
        if kind != "MeshExternalService":
            errs.add(_validate_port(_root("backendRef").field("port"), ref_port))
    elif not tags:
        if service == "":
            errs.violation(_root("tags"), "mandatory tag %s is missing" % _go_quote(SERVICE_TAG))
    else:
        errs.add(_validate_tags(_root("tags"), tags, require_service=True))

    if backend_ref is not None and (tags or service != ""):
        errs.violation(_root("backendRef"), "both backendRef and tags/service cannot be defined")
    return errs


def _validate_transparent_proxying(tp, parse):
    errs = _Errors()
    if tp is None:
        return errs
    path = _root("reachableBackends.refs")
    abs_base = _root("networking").field("transparentProxying").field("reachableBackends")
    rb = _obj(_get(tp, "reachableBackends", "reachable_backends"), abs_base, parse)
    if rb is None:
        return errs
    refs = _objects(rb.get("refs"), abs_base.field("refs"), parse)
    for i, ref in enumerate(refs):
        abs_ref = abs_base.field("refs").index(i)
        kind = _string(ref.get("kind"), abs_ref.field("kind"), parse)
        name = _string(ref.get("name"), abs_ref.field("name"), parse)
        namespace = _string(ref.get("namespace"), abs_ref.field("namespace"), parse)
        labels = _mapping(ref.get("labels"), abs_ref.field("labels"), parse)
        if kind not in _ALLOWED_BACKEND_KINDS:
            errs.violation(path.index(i).field("kind"), "invalid value. Available values are: %s" % ",".join(_ALLOWED_BACKEND_KINDS))
        if name != "":
            errs.add_at(path.index(i).field("name"), _validate_identifier(name, _IDENTIFIER_RE, _IDENTIFIER_MSG))
        if name == "" and namespace == "" and not labels:
            errs.violation(path.index(i).field("name"), "name or labels are required")
        if name == "" and namespace != "":
            errs.violation(path.index(i).field("name"), "name is required, when namespace is defined")
        if (name != "" or namespace != "") and labels:
            errs.violation(path.index(i).field("labels"), "labels cannot be defined when name is specified")
    return errs


def _gateway_protocol_validator(path, tags):
    errs = _Errors()
    if PROTOCOL_TAG in tags and tags[PROTOCOL_TAG] != "tcp":
        errs.violation(path.key(PROTOCOL_TAG), 'other values than tcp are not allowed, provided value "%s"' % tags[PROTOCOL_TAG])
    return errs


def _validate_gateway(gateway, parse):
    tags = _mapping(gateway.get("tags"), _root("networking").field("gateway").field("tags"), parse)
    return _validate_tags(_root("tags"), tags, require_service=True, tags_validators=(_gateway_protocol_validator,))


def _validate_probes(probes, parse):
    errs = _Errors()
    if probes is None:
        return errs
    path = _root("probes")
    errs.add(_validate_port(path.field("port"), _uint(probes.get("port"), path.field("port"), parse)))
    for i, endpoint in enumerate(_objects(probes.get("endpoints"), path.field("endpoints"), parse)):
        ipath = path.field("endpoints").index(i)
        inbound_port = _uint(_get(endpoint, "inboundPort", "inbound_port"), ipath.field("inboundPort"), parse)
        errs.add(_validate_port(ipath.field("inboundPort"), inbound_port))
        inbound_path = _string(_get(endpoint, "inboundPath", "inbound_path"), ipath.field("inboundPath"), parse)
        if not _is_request_uri(inbound_path):
            errs.violation(ipath.field("inboundPath"), "should be a valid URL Path")
        if not _is_request_uri(_string(endpoint.get("path"), ipath.field("path"), parse)):
            errs.violation(ipath.field("path"), "should be a valid URL Path")
    return errs


def _validate_metrics(metrics, parse):
    errs = _Errors()
    path = _root("metrics")
    if metrics.get("type") != "prometheus":
        errs.violation(path.field("type"), 'unknown backend type. Available backends: "prometheus"')
        return errs
    errs.add_at(path.field("conf"), _validate_prometheus_conf(_obj(metrics.get("conf"), path.field("conf"), parse), parse))
    return errs


def _validate_prometheus_conf(conf, parse):
    # Only the rule shown by the dataplane_validator_test.go table is ported
    # (unique aggregate names); the rest of Kuma's validatePrometheusConfig
    # (mesh_validator.go) could not be read from the stored sources.
    errs = _Errors()
    if conf is None:
        return errs
    seen = set()
    for i, entry in enumerate(_objects(conf.get("aggregate"), _root("metrics").field("conf").field("aggregate"), parse)):
        name = entry.get("name")
        if name in seen:
            errs.violation(_root("aggregate").index(i).field("name"),
                           "duplicate entry: %s, values have to be unique" % name)
        seen.add(name)
    return errs


# --------------------------------------------------------------------------
# YAML emitter
# --------------------------------------------------------------------------

# Plain (unquoted) scalars are only emitted for a conservative character set;
# everything else is double-quoted.  Words YAML 1.1 (go-yaml v2, PyYAML) or
# YAML 1.2 would resolve to booleans or null are quoted too.
_PLAIN_RE = re.compile(r"[A-Za-z_/][A-Za-z0-9_./:\-]*")
_RESERVED = frozenset(("y", "n", "yes", "no", "true", "false", "on", "off", "null", "nan", "inf"))


def _needs_quotes(s):
    if not _PLAIN_RE.fullmatch(s):
        return True
    if s.lower() in _RESERVED:
        return True
    if s.endswith(":") or "::" in s or s.startswith("//"):
        return True
    return False


def _double_quote(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        elif o in (0x85, 0x2028, 0x2029, 0xFEFF) or (0x80 <= o < 0xA0):
            out.append("\\u%04x" % o)
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _scalar(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    s = value if isinstance(value, str) else str(value)
    return _double_quote(s) if _needs_quotes(s) else s


def _emit_value(prefix, value, indent, lines):
    """Emit `prefix` followed by value: inline for scalars/empties, nested otherwise."""
    if isinstance(value, dict) and value:
        lines.append(prefix)
        _emit_mapping(value, indent + 2, lines)
    elif isinstance(value, (list, tuple)) and value:
        lines.append(prefix)
        _emit_sequence(value, indent + 2, lines)
    else:
        lines.append("%s %s" % (prefix, _scalar(value)))


def _emit_mapping(mapping, indent, lines):
    pad = " " * indent
    for key, value in mapping.items():
        _emit_value("%s%s:" % (pad, _scalar(key)), value, indent, lines)


def _emit_sequence(seq, indent, lines):
    pad = " " * indent
    for item in seq:
        if isinstance(item, dict) and item:
            start = len(lines)
            _emit_mapping(item, indent + 2, lines)
            lines[start] = pad + "- " + lines[start][indent + 2:]
        elif isinstance(item, (list, tuple)) and item:
            lines.append(pad + "-")
            _emit_sequence(item, indent + 2, lines)
        else:
            lines.append("%s- %s" % (pad, _scalar(item)))
