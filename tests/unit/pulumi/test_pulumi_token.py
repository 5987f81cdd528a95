# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""DataplaneToken: replaced when its claims would change or inside its renew window (tokens.renewal_reason)."""

import time

import pytest

from kumaops_pulumi_helpers import jwt, no_kuma_cp

from pulumi_kumaops import DataplaneTokenProvider, ProviderSettings
from pulumi_kumaops._core import kuma_client
from pulumi_kumaops.provider import UNKNOWN

HOUR = 3600


def _olds(exp_in, **over):
    now = time.time()
    claims = {"Name": "web-1", "Mesh": "default", "Tags": {"kuma.io/service": ["web"]}, "Type": "",
              "jti": "jti-1", "iat": int(now) - 10, "nbf": int(now) - 15, "exp": int(now + exp_in)}
    olds = {"name": "web-1", "mesh": "default", "tags": {"kuma.io/service": "web"}, "proxyType": None,
            "workload": None, "validFor": "720h", "renewBefore": "168h", "token": jwt(claims),
            "claims": claims, "expiresAt": claims["exp"]}
    olds.update(over)
    return olds


def _news(olds, **over):
    news = dict((k, olds[k]) for k in DataplaneTokenProvider.INPUTS)
    news.update(over)
    return news


@pytest.fixture(autouse=True)
def _no_api(monkeypatch):
    no_kuma_cp(monkeypatch)


def test_kept_outside_the_renew_window():
    olds = _olds(600 * HOUR)
    result = DataplaneTokenProvider().diff("jti-1", olds, _news(olds))
    assert (result.changes, result.replaces) == (False, [])


def test_replaced_inside_the_renew_window():
    olds = _olds(100 * HOUR)  # 100h left, renewBefore 168h
    result = DataplaneTokenProvider().diff("jti-1", olds, _news(olds))
    assert result.changes is True
    assert result.replaces == ["token"]
    assert result.delete_before_replace is False  # the new token exists before the old one is forgotten
    reason = DataplaneTokenProvider().replacement_reason(olds, _news(olds))
    assert reason.startswith("expires in ") and reason.endswith("inside the renewal window of 604800s")


def test_replaced_when_the_renew_window_grows_over_the_rest():
    olds = _olds(200 * HOUR)
    assert DataplaneTokenProvider().diff("jti-1", olds, _news(olds)).replaces == []
    result = DataplaneTokenProvider().diff("jti-1", olds, _news(olds, renewBefore="300h"))
    assert (result.changes, result.replaces) == (True, ["token"])


def test_replaced_when_expired():
    olds = _olds(-5)
    assert DataplaneTokenProvider().replacement_reason(olds, _news(olds)) == "expired"
    assert DataplaneTokenProvider().diff("jti-1", olds, _news(olds)).replaces == ["token"]


@pytest.mark.parametrize("over, replaces", [
    (dict(name="web-2"), ["name"]),
    (dict(mesh="other"), ["mesh"]),
    (dict(tags={"kuma.io/service": "db"}), ["tags"]),
    (dict(proxyType="ingress"), ["proxyType"]),
    (dict(workload="web"), ["workload"]),
])
def test_replaced_when_the_claims_would_change(over, replaces):
    olds = _olds(600 * HOUR)
    result = DataplaneTokenProvider().diff("jti-1", olds, _news(olds, **over))
    assert (result.changes, result.replaces) == (True, replaces)


def test_same_tags_as_a_list_are_no_change_of_claims():
    olds = _olds(600 * HOUR)
    result = DataplaneTokenProvider().diff("jti-1", olds, _news(olds, tags={"kuma.io/service": ["web"]}))
    assert result.replaces == []  # an update of the recorded input only


def test_valid_for_change_alone_updates_and_keeps_the_token():
    olds = _olds(600 * HOUR)
    news = _news(olds, validFor="1000h")
    result = DataplaneTokenProvider().diff("jti-1", olds, news)
    assert (result.changes, result.replaces) == (True, [])
    outs = DataplaneTokenProvider().update("jti-1", olds, news).outs
    assert outs["token"] == olds["token"] and outs["validFor"] == "1000h"


def test_unknown_claim_inputs_at_preview_may_replace():
    olds = _olds(600 * HOUR)
    result = DataplaneTokenProvider().diff("jti-1", olds, _news(olds, name=UNKNOWN))
    assert (result.changes, result.replaces) == (True, ["name"])


def test_create_issues_a_token_through_kuma_cp(monkeypatch):
    seen = {}
    claims = {"Name": "web-1", "Mesh": "default", "Tags": {"kuma.io/service": ["web"]}, "jti": "jti-9",
              "iat": 1000, "exp": 1000 + 720 * HOUR}

    def generate(self, name, mesh, tags=None, proxy_type=None, valid_for=None, workload=None):
        seen.update(url=self.url, token=self.token, args=(name, mesh, tags, proxy_type, valid_for, workload))
        return jwt(claims)

    monkeypatch.setattr(kuma_client.KumaClient, "generate_dataplane_token", generate)
    provider = DataplaneTokenProvider(ProviderSettings(url="http://kuma-cp:5681", token="admin"))
    result = provider.create({"name": "web-1", "mesh": "default", "tags": {"kuma.io/service": "web"},
                              "validFor": "720h", "renewBefore": "168h", "__provider": "pickled"})
    assert result.id == "jti-9"
    assert seen == {"url": "http://kuma-cp:5681", "token": "admin",
                    "args": ("web-1", "default", {"kuma.io/service": "web"}, None, "720h", None)}
    assert result.outs["token"] == jwt(claims)
    assert result.outs["claims"] == claims
    assert result.outs["expiresAt"] == 1000 + 720 * HOUR
    assert "__provider" not in result.outs
