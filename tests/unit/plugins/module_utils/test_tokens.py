# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Unit tests of plugins/module_utils/tokens.py."""

import base64
import json

import pytest

from ansible_collections.kumaops.mesh.plugins.module_utils import tokens


def jwt(claims):
    def seg(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return "%s.%s.%s" % (seg({"alg": "RS256", "kid": "1", "typ": "JWT"}), seg(claims), "c2lnbmF0dXJl")


CLAIMS = {"Name": "web-1", "Mesh": "default", "Tags": {"kuma.io/service": ["web"]}, "Type": "",
          "jti": "abc", "iat": 1000, "nbf": 995, "exp": 1000 + 3600 + 5}


def test_decode_claims_round_trip():
    assert tokens.decode_claims(jwt(CLAIMS)) == CLAIMS


@pytest.mark.parametrize("bad, msg", [
    ("abc", "expected 3 dot-separated parts, found 1"),
    ("a.!!!.c", "the payload does not decode"),
    (None, "a token must be a string"),
])
def test_decode_claims_rejects_non_jwts(bad, msg):
    with pytest.raises(tokens.TokenError, match=msg):
        tokens.decode_claims(bad)


@pytest.mark.parametrize("value, seconds", [("720h", 720 * 3600), ("1h30m", 5400), ("90s", 90), ("250ms", 0.25),
                                            (60, 60)])
def test_parse_duration(value, seconds):
    assert tokens.parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "10", "1d", "h1", "1h 2m"])
def test_parse_duration_rejects(value):
    with pytest.raises(tokens.TokenError):
        tokens.parse_duration(value)


def test_kept_while_matching_and_outside_renew_window():
    assert tokens.renewal_reason(CLAIMS, "web-1", "default", {"kuma.io/service": "web"}, None,
                                 renew_before=600, now=1000) is None


@pytest.mark.parametrize("kwargs, reason", [
    (dict(name="web-2"), "issued for name 'web-1', not 'web-2'"),
    (dict(mesh="other"), "issued for mesh 'default', not 'other'"),
    (dict(tags={"kuma.io/service": "db"}), "issued for other tags"),
    (dict(proxy_type="ingress"), "issued for proxy type '', not 'ingress'"),
    (dict(now=1000 + 3600), "expires in 5s, inside the renewal window of 600s"),
    (dict(now=1000 + 4000), "expired"),
])
def test_renewal_reasons(kwargs, reason):
    args = dict(name="web-1", mesh="default", tags={"kuma.io/service": ["web"]}, proxy_type=None,
                renew_before=600, now=1000)
    args.update(kwargs)
    assert tokens.renewal_reason(CLAIMS, **args) == reason


def test_public_claims_hold_no_signature_or_token():
    pub = tokens.public_claims(dict(CLAIMS, extra="x"))
    assert set(pub) == {"Name", "Mesh", "Tags", "Type", "jti", "iat", "nbf", "exp"}
