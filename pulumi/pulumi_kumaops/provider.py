# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""The dynamic resource providers behind :mod:`pulumi_kumaops.resources`.

Each provider is a :class:`pulumi.dynamic.ResourceProvider`.  The Pulumi SDK
pickles the provider object (with the :class:`~pulumi_kumaops.config.ProviderSettings`
it was built with) into the secret ``__provider`` property; the engine's
``pulumi-resource-pulumi-python`` process unpickles it and calls
``check``/``diff``/``create``/``read``/``update``/``delete``.  Its classes are
pickled by reference, so that process must be able to import
``pulumi_kumaops`` (an installed package, or ``pulumi/`` on ``PYTHONPATH``).

All Kuma knowledge comes from the shared core (``plugins/module_utils``):
validation from ``dataplane.validate_dataplane``, comparisons from
``dataplane.normalize_for_compare``, API calls from ``kuma_client.KumaClient``
and token decisions from ``tokens.renewal_reason``.  Nothing here re-implements
them.

Property names are Kuma's JSON names (``networking.inbound[0].servicePort``),
so a :class:`~pulumi.dynamic.CheckFailure` property path is exactly the field
path kuma-cp would report.
"""

import json
from typing import Any, Dict, List, Optional, Tuple

from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, \
    UpdateResult

from ._core import dataplane as core_dataplane
from ._core import kuma_client as core_client
from ._core import tokens as core_tokens
from .config import ProviderSettings

#: The value the Python SDK gives a property whose value is not known yet (preview).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PROVIDER_KEY = "__provider"

_SERVER_KEYS = ("creationTime", "modificationTime", "kri")


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def _is_unknown(value) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def _unknown_paths(value, path="") -> List[str]:
    """Property paths (``a.b[0]["k"]``) of every unknown value inside ``value``."""
    if _is_unknown(value):
        return [path]
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if path == "":
                sub = str(key)
            elif isinstance(key, str) and key.isidentifier():
                # Kuma's PathBuilder writes struct fields as .field and map keys as
                # ["key"]; a prefix that is both still matches through _related().
                sub = "%s.%s" % (path, key)
            else:
                sub = "%s[%s]" % (path, json.dumps(str(key)))
            found.extend(_unknown_paths(item, sub))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found.extend(_unknown_paths(item, "%s[%d]" % (path, i)))
    return found


def _map_key_variants(path: str) -> Tuple[str, ...]:
    """A path and its form with a trailing ``.key`` written as ``["key"]`` (map keys)."""
    head, _, tail = path.rpartition(".")
    if head and tail.isidentifier():
        return (path, '%s[%s]' % (head, json.dumps(tail)))
    return (path,)


def _related(field: str, unknown: str) -> bool:
    """True when ``field`` is ``unknown``, inside it, or one of its ancestors."""
    for u in _map_key_variants(unknown):
        if field == u or u == "":
            return True
        for a, b in ((field, u), (u, field)):
            if a.startswith(b + ".") or a.startswith(b + "["):
                return True
    return field == ""


def _has_unknowns(value) -> bool:
    return bool(_unknown_paths(value))


def _strip_provider(props: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return dict((k, v) for k, v in (props or {}).items() if k != PROVIDER_KEY)


def _split_id(id_: str) -> Tuple[Optional[str], Optional[str]]:
    if id_ and "/" in id_:
        mesh, _, name = id_.partition("/")
        return mesh, name
    return None, id_ or None


def _non_empty_string(props, key, failures, what):
    value = props.get(key)
    if _is_unknown(value):
        return
    if not isinstance(value, str) or value == "":
        failures.append(CheckFailure(key, "%s must be a non-empty string, got %r" % (what, value)))


class _KumaProvider(ResourceProvider):
    """Common part: the connection settings captured when the resource was declared."""

    def __init__(self, settings: Optional[ProviderSettings] = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else ProviderSettings()

    def _effective_settings(self, program_ran: bool = True) -> ProviderSettings:
        """The captured settings completed (or, without a program run, overridden) by this process's env."""
        env = ProviderSettings.from_env()
        return self.settings.fill_from(env) if program_ran else self.settings.override_with(env)

    def _client(self, program_ran: bool = True):
        return self._effective_settings(program_ran).client()

    @property
    def kuma_version(self) -> str:
        return self._effective_settings().effective_kuma_version


# --------------------------------------------------------------------------
# Dataplane
# --------------------------------------------------------------------------

    def _compare(self, olds: Dict[str, Any], news: Dict[str, Any], replaces: List[str]) -> DiffResult:
        """A change when what kuma-cp would hold differs (or a replacing key changed)."""
        if _has_unknowns(news):
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=False)
        old = core_dataplane.normalize_for_compare(self.resource_of(olds))
        new = core_dataplane.normalize_for_compare(self.resource_of(news))
        return DiffResult(changes=old != new or bool(replaces), replaces=replaces, delete_before_replace=False)


class DataplaneProvider(_KumaProvider):
    """A Dataplane registered in kuma-cp (the Indirect lifecycle).

    Inputs: ``name``, ``mesh``, ``networking`` (Kuma's JSON form), ``labels``.
    The resource id is ``<mesh>/<name>``.
    """

    KEYS = ("name", "mesh", "networking", "labels")

    @staticmethod
    def resource_of(props: Dict[str, Any]) -> Dict[str, Any]:
        """The flat Kuma resource for these properties (shared ``build_resource``)."""
        return core_dataplane.build_resource(props.get("name"), props.get("mesh"), props.get("networking"),
                                             props.get("labels"))

    def check(self, olds: Any, news: Any) -> CheckResult:
        """Validate like kuma-cp does, before any API call; every violation is one failure.

        Values not known yet (preview) are not judged: a violation at, inside
        or above an unknown value is left out.
        """
        inputs = _strip_provider(news)
        if inputs.get("mesh") is None:
            inputs["mesh"] = "default"
        try:
            violations = core_dataplane.validate_dataplane(self.resource_of(inputs), self.kuma_version)
        except (TypeError, ValueError) as e:  # unsupported kumaVersion, a non-dict resource
            return CheckResult(inputs, [CheckFailure("", "kumaops: %s" % e)])
        unknown = _unknown_paths(inputs)
        failures = [CheckFailure(v.field, v.message) for v in violations
                    if not any(_related(v.field, u) for u in unknown)]
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        """Compare what kuma-cp would hold; a new name or mesh replaces the Dataplane.

        Both sides go through ``normalize_for_compare``, so what kuma-cp adds on
        GET (creationTime, kuma.io/* labels, the kuma.io/zone inbound tag) and
        anything ``pulumi refresh`` brought in from it is no change.
        """
        olds, news = _strip_provider(olds), _strip_provider(news)
        if news.get("mesh") is None:
            news["mesh"] = "default"
        replaces = [k for k in ("name", "mesh") if _is_unknown(news.get(k)) or olds.get(k) != news.get(k)]
        return self._compare(olds, news, replaces)

    def _outs(self, props):
        return dict((k, props.get(k)) for k in self.KEYS)

    def create(self, props: Any) -> CreateResult:
        props = _strip_provider(props)
        resource = self.resource_of(props)
        core_dataplane.validate_or_raise(resource, self.kuma_version)
        client = self._client()
        existing = client.get_dataplane(resource["mesh"], resource["name"])
        if existing is not None and (core_dataplane.normalize_for_compare(existing)
                                     != core_dataplane.normalize_for_compare(resource)):
            raise core_client.KumaError(
                "Dataplane %r already exists in mesh %r with another spec; delete it or adopt it with "
                "`pulumi import`" % (resource["name"], resource["mesh"]))
        if existing is None:
            client.put_dataplane(resource)
        return CreateResult("%s/%s" % (resource["mesh"], resource["name"]), self._outs(props))

    def update(self, _id: str, olds: Any, news: Any) -> UpdateResult:
        news = _strip_provider(news)
        resource = self.resource_of(news)
        core_dataplane.validate_or_raise(resource, self.kuma_version)
        self._client().put_dataplane(resource)
        return UpdateResult(self._outs(news))

    def delete(self, id_: str, props: Any) -> None:
        mesh, name = _split_id(id_)
        self._client(program_ran=False).delete_dataplane(props.get("mesh") or mesh, props.get("name") or name)

    def read(self, id_: str, props: Any) -> ReadResult:
        """``pulumi refresh``: kuma-cp's Dataplane, normalized; a gone one reads as deleted."""
        props = _strip_provider(props)
        mesh, name = _split_id(id_)
        mesh, name = props.get("mesh") or mesh, props.get("name") or name
        actual = self._client(program_ran=False).get_dataplane(mesh, name)
        if actual is None:
            return ReadResult(None, {})
        actual = core_dataplane.normalize_for_compare(actual)
        return ReadResult(id_, dict((k, actual.get(k)) for k in self.KEYS))


# --------------------------------------------------------------------------
# Mesh
# --------------------------------------------------------------------------

class MeshProvider(_KumaProvider):
    """A Mesh in kuma-cp.  Inputs: ``name``, ``spec`` (Mesh fields other than type/name), ``labels``."""

    KEYS = ("name", "spec", "labels")
    _RESERVED = ("type", "name", "labels", "mesh") + _SERVER_KEYS

    @staticmethod
    def resource_of(props: Dict[str, Any]) -> Dict[str, Any]:
        res = {"type": "Mesh", "name": props.get("name")}
        if props.get("labels"):
            res["labels"] = dict(props["labels"])
        res.update(props.get("spec") or {})
        return res

    def check(self, olds: Any, news: Any) -> CheckResult:
        inputs = _strip_provider(news)
        failures = []
        _non_empty_string(inputs, "name", failures, "the Mesh name")
        spec = inputs.get("spec")
        if spec is not None and not _is_unknown(spec):
            if not isinstance(spec, dict):
                failures.append(CheckFailure("spec", "must be an object (Kuma's Mesh fields), got %r" % (spec,)))
            else:
                for key in sorted(k for k in spec if k in self._RESERVED):
                    failures.append(CheckFailure("spec.%s" % key, "is not a Mesh spec field: set it as the "
                                                                  "resource's own input or leave it to kuma-cp"))
        labels = inputs.get("labels")
        if labels is not None and not _is_unknown(labels) and not isinstance(labels, dict):
            failures.append(CheckFailure("labels", "must be a map of strings"))
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        olds, news = _strip_provider(olds), _strip_provider(news)
        replaces = ["name"] if _is_unknown(news.get("name")) or olds.get("name") != news.get("name") else []
        return self._compare(olds, news, replaces)

    def _outs(self, props):
        return {"name": props.get("name"), "spec": props.get("spec") or {}, "labels": props.get("labels")}

    def create(self, props: Any) -> CreateResult:
        props = _strip_provider(props)
        resource = self.resource_of(props)
        client = self._client()
        existing = client.get_mesh(resource["name"])
        if existing is not None and (core_dataplane.normalize_for_compare(existing)
                                     != core_dataplane.normalize_for_compare(resource)):
            raise core_client.KumaError("Mesh %r already exists with another spec; delete it or adopt it with "
                                        "`pulumi import`" % resource["name"])
        if existing is None:
            client.put_mesh(resource)
        return CreateResult(resource["name"], self._outs(props))

    def update(self, _id: str, olds: Any, news: Any) -> UpdateResult:
        news = _strip_provider(news)
        self._client().put_mesh(self.resource_of(news))
        return UpdateResult(self._outs(news))

    def delete(self, id_: str, props: Any) -> None:
        self._client(program_ran=False).delete_mesh(props.get("name") or id_)

    def read(self, id_: str, props: Any) -> ReadResult:
        name = _strip_provider(props).get("name") or id_
        actual = self._client(program_ran=False).get_mesh(name)
        if actual is None:
            return ReadResult(None, {})
        actual = core_dataplane.normalize_for_compare(actual)
        spec = dict((k, v) for k, v in actual.items() if k not in self._RESERVED)
        return ReadResult(id_, {"name": actual.get("name", name), "spec": spec, "labels": actual.get("labels")})


# --------------------------------------------------------------------------
# DataplaneToken
# --------------------------------------------------------------------------

class DataplaneTokenProvider(_KumaProvider):
    """A dataplane token issued by kuma-cp (``POST /tokens/dataplane``).

    Inputs: ``name``, ``mesh``, ``tags`` (tag -> value or list of values),
    ``proxyType``, ``workload``, ``validFor`` and ``renewBefore`` (Go
    durations).  Outputs add ``token`` (secret), ``claims`` (the public
    claims) and ``expiresAt`` (Unix seconds).

    A token cannot be changed, only replaced: ``diff`` asks for a replacement
    when ``tokens.renewal_reason`` gives a reason -- other name, mesh, tags or
    proxy type than the token was issued for, expired, or less than
    ``renewBefore`` left -- or when ``workload`` changed.  Deleting forgets the
    token: kuma-cp has no call to revoke one token (revocation is per mesh,
    through the ``dataplane-token-revocations-<mesh>`` secret).
    """

    INPUTS = ("name", "mesh", "tags", "proxyType", "workload", "validFor", "renewBefore")
    CLAIM_INPUTS = ("name", "mesh", "tags", "proxyType", "workload")
    OUTPUTS = ("token", "claims", "expiresAt")

    def check(self, olds: Any, news: Any) -> CheckResult:
        inputs = _strip_provider(news)
        if inputs.get("mesh") is None:
            inputs["mesh"] = "default"
        failures = []
        _non_empty_string(inputs, "name", failures, "the Dataplane name")
        _non_empty_string(inputs, "mesh", failures, "the mesh")
        for key in ("validFor", "renewBefore"):
            value = inputs.get(key)
            if value is None or _is_unknown(value):
                continue
            try:
                if core_tokens.parse_duration(value) < 0:
                    raise core_tokens.TokenError("a duration must not be negative")
            except core_tokens.TokenError as e:
                failures.append(CheckFailure(key, str(e)))
        tags = inputs.get("tags")
        if tags is not None and not _is_unknown(tags) and not isinstance(tags, dict):
            failures.append(CheckFailure("tags", "must be a map of tag -> value or list of values"))
        return CheckResult(inputs, failures)

    @staticmethod
    def _renew_before(props) -> float:
        value = props.get("renewBefore")
        if value is None or _is_unknown(value):
            return 0.0
        return core_tokens.parse_duration(value)

    def replacement_reason(self, olds: Dict[str, Any], news: Dict[str, Any], now: Optional[float] = None):
        """Why the token in ``olds`` cannot serve ``news`` (``tokens.renewal_reason``), or None."""
        token = olds.get("token")
        if not token:
            return "no token yet"
        try:
            claims = core_tokens.decode_claims(token)
        except core_tokens.TokenError as e:
            return "the stored token is unreadable (%s)" % e
        if (olds.get("workload") or None) != (news.get("workload") or None):
            return "issued for workload %r, not %r" % (claims.get("Workload"), news.get("workload"))
        return core_tokens.renewal_reason(claims, news.get("name"), news.get("mesh"), news.get("tags"),
                                          news.get("proxyType"), renew_before=self._renew_before(news), now=now)

    def diff(self, _id: str, olds: Any, news: Any) -> DiffResult:
        olds, news = _strip_provider(olds), _strip_provider(news)
        if news.get("mesh") is None:
            news["mesh"] = "default"
        changed = [k for k in self.INPUTS if olds.get(k) != news.get(k)]
        unknown_claims = [k for k in self.CLAIM_INPUTS if _has_unknowns(news.get(k))]
        if unknown_claims:
            return DiffResult(changes=True, replaces=unknown_claims, delete_before_replace=False)
        reason = self.replacement_reason(olds, news)
        if reason:
            replaces = [k for k in changed if k in self.CLAIM_INPUTS] or ["token"]
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=False)
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def _issue(self, props):
        client = self._client()
        token = client.generate_dataplane_token(props.get("name"), props.get("mesh"), tags=props.get("tags"),
                                                proxy_type=props.get("proxyType"), valid_for=props.get("validFor"),
                                                workload=props.get("workload"))
        claims = core_tokens.decode_claims(token)
        outs = dict((k, props.get(k)) for k in self.INPUTS)
        outs.update(token=token, claims=core_tokens.public_claims(claims), expiresAt=claims.get("exp"))
        return claims, outs

    def create(self, props: Any) -> CreateResult:
        props = _strip_provider(props)
        claims, outs = self._issue(props)
        return CreateResult(claims.get("jti") or "%s/%s" % (props.get("mesh"), props.get("name")), outs)

    def update(self, _id: str, olds: Any, news: Any) -> UpdateResult:
        """Only validFor/renewBefore changed: keep the token, record the new inputs."""
        olds, news = _strip_provider(olds), _strip_provider(news)
        outs = dict((k, news.get(k)) for k in self.INPUTS)
        outs.update((k, olds.get(k)) for k in self.OUTPUTS)
        return UpdateResult(outs)

    def delete(self, _id: str, _props: Any) -> None:
        return None

    def read(self, id_: str, props: Any) -> ReadResult:
        """Tokens live only in the state: refresh keeps what is there."""
        return ReadResult(id_, _strip_provider(props))
