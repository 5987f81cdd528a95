# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Dataplane token inspection: claims without signature verification.

kuma-cp signs dataplane tokens (RS256 JWTs) with a per-mesh key; only kuma-cp
verifies them. Tooling only needs to know whom a token was issued for and
when it expires, to decide whether to issue a new one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import re
import time

_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


class TokenError(ValueError):
    pass


def decode_claims(token):
    """The claims of a JWT (Name, Mesh, Tags, Type, Workload, jti, iat, nbf, exp)."""
    if not isinstance(token, str):
        raise TokenError("a token must be a string")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise TokenError("not a JWT: expected 3 dot-separated parts, found %d" % len(parts))
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")).decode("utf-8"))
    except (ValueError, TypeError) as e:
        raise TokenError("not a JWT: the payload does not decode (%s)" % e)
    if not isinstance(claims, dict):
        raise TokenError("not a JWT: the payload is not an object")
    return claims


def parse_duration(value):
    """Seconds in a Go-style duration ("720h", "1h30m", "90s"); ints are seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if not text:
        raise TokenError("empty duration")
    pos, total = 0, 0.0
    for m in _DURATION_RE.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text):
        raise TokenError("invalid duration %r: use units h, m, s, ms (for example 720h)" % value)
    return total


def _norm_tags(tags):
    return dict((k, sorted(v if isinstance(v, list) else [v])) for k, v in (tags or {}).items())


def renewal_reason(claims, name, mesh, tags=None, proxy_type=None, renew_before=0, now=None):
    """Why a token with ``claims`` must be replaced for this request, or None.

    A token is kept while it was issued for the same name, mesh, tags and proxy
    type and more than ``renew_before`` seconds of it remain.
    """
    now = time.time() if now is None else now
    if claims.get("Name", "") != (name or ""):
        return "issued for name %r, not %r" % (claims.get("Name"), name)
    if claims.get("Mesh") != mesh:
        return "issued for mesh %r, not %r" % (claims.get("Mesh"), mesh)
    if _norm_tags(claims.get("Tags")) != _norm_tags(tags):
        return "issued for other tags"
    if (claims.get("Type") or "") != (proxy_type or ""):
        return "issued for proxy type %r, not %r" % (claims.get("Type"), proxy_type)
    exp = claims.get("exp")
    if exp is None:
        return None
    left = float(exp) - now
    if left <= 0:
        return "expired"
    if left <= renew_before:
        return "expires in %ds, inside the renewal window of %ds" % (left, renew_before)
    return None


def public_claims(claims):
    """The claims worth returning (never the token itself)."""
    keys = ("Name", "Mesh", "Tags", "Type", "Workload", "jti", "iat", "nbf", "exp")
    return dict((k, claims[k]) for k in keys if k in claims)
