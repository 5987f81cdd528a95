# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Unit tests of kumaops.mesh.dataplane_token, driven by a patched KumaClient.

The tokens handed back by the patched generate_dataplane_token are unsigned
JWTs carrying the claims Kuma documents (Name, Mesh, Tags, Type, jti, iat,
nbf, exp); the module only reads claims, it never verifies signatures.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import os
import stat
import threading
import time

import pytest

from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_client import KumaError, KumaUnreachable
from ansible_collections.kumaops.mesh.plugins.modules import dataplane_token
from ansible_collections.kumaops.mesh.tests.unit.plugins.modules.utils import (
    called_methods, exit_result, fail_result, make_jwt, patched_client)

URL = "http://kuma-cp.test:5681"
HOUR = 3600
_serial = itertools.count(1)


def issue(valid_for_s=720 * HOUR):
    """A side effect for generate_dataplane_token: a token with the requested claims."""
    def fake(self, name, mesh, tags=None, proxy_type=None, valid_for=None, workload=None):
        now = int(time.time())
        claims = {"Name": name or "", "Mesh": mesh, "Tags": dict((k, v if isinstance(v, list) else [v])
                                                                 for k, v in (tags or {}).items()),
                  "Type": proxy_type or "", "jti": "jti-%d" % next(_serial), "iat": now - 5, "nbf": now - 5,
                  "exp": now + valid_for_s + 5}
        return make_jwt(claims)
    return fake


def token_with(exp_in, name="web-1", mesh="default", tags=None):
    now = int(time.time())
    return make_jwt({"Name": name, "Mesh": mesh, "Tags": tags or {}, "Type": "", "jti": "old", "iat": now - HOUR,
                     "nbf": now - HOUR, "exp": now + exp_in})


@pytest.fixture(name="kuma")
def kuma_fixture():
    with patched_client() as mocks:
        mocks.generate_dataplane_token.side_effect = issue()
        yield mocks


def args(dest, **kw):
    base = dict(url=URL, name="web-1", mesh="default", dest=str(dest))
    base.update(kw)
    return base


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def test_check_mode_predicts_without_calling(kuma, tmp_path):
    dest = tmp_path / "token"
    result = exit_result(dataplane_token, args(dest), check_mode=True)
    assert result["changed"] is True
    assert result["reason"] == "%s does not exist" % dest
    assert result["claims"] is None
    assert not dest.exists()
    assert called_methods(kuma) == []


def test_issue_unchanged_renew_force(kuma, tmp_path):
    dest = tmp_path / "token"
    result = exit_result(dataplane_token, args(dest, tags={"kuma.io/service": "web"}))
    assert result["changed"] is True
    assert result["reason"] == "%s does not exist" % dest
    assert result["claims"]["Name"] == "web-1"
    assert result["claims"]["Tags"] == {"kuma.io/service": ["web"]}
    token = dest.read_text()
    assert token.count(".") == 2
    assert "content" not in result
    assert token not in repr(result)
    assert mode_of(dest) == 0o600
    call = kuma.generate_dataplane_token.call_args[0]
    assert call[1:] == ("web-1", "default", {"kuma.io/service": "web"}, None, "720h")

    # unchanged: no API call
    kuma.generate_dataplane_token.reset_mock()
    result = exit_result(dataplane_token, args(dest, tags={"kuma.io/service": "web"}))
    assert result["changed"] is False
    assert result["reason"] is None
    assert result["claims"]["jti"].startswith("jti-")
    assert dest.read_text() == token
    assert not kuma.generate_dataplane_token.called

    # other tags: reissue
    result = exit_result(dataplane_token, args(dest, tags={"kuma.io/service": ["web", "web-api"]}))
    assert result["changed"] is True
    assert result["reason"] == "issued for other tags"
    assert dest.read_text() != token

    # force
    token = dest.read_text()
    result = exit_result(dataplane_token, args(dest, tags={"kuma.io/service": ["web", "web-api"]}, force=True))
    assert result["changed"] is True
    assert result["reason"] == "force"
    assert dest.read_text() != token
    assert mode_of(dest) == 0o600


def test_reissue_inside_renew_window(kuma, tmp_path):
    dest = tmp_path / "token"
    dest.write_text(token_with(48 * HOUR))
    os.chmod(str(dest), 0o600)
    result = exit_result(dataplane_token, args(dest), check_mode=True)
    assert result["changed"] is True
    assert "inside the renewal window of 259200s" in result["reason"]
    assert not kuma.generate_dataplane_token.called

    result = exit_result(dataplane_token, args(dest))
    assert result["changed"] is True
    assert "inside the renewal window" in result["reason"]
    assert result["claims"]["exp"] > time.time() + 700 * HOUR

    # outside the window (renew_before 24h): kept
    dest.write_text(token_with(48 * HOUR))
    kuma.generate_dataplane_token.reset_mock()
    result = exit_result(dataplane_token, args(dest, renew_before="24h"))
    assert result["changed"] is False
    assert not kuma.generate_dataplane_token.called


def test_expired_and_garbage_files_are_replaced(kuma, tmp_path):
    dest = tmp_path / "token"
    dest.write_text(token_with(-HOUR))
    assert exit_result(dataplane_token, args(dest))["reason"] == "expired"
    dest.write_text("not a token")
    result = exit_result(dataplane_token, args(dest))
    assert result["reason"].startswith("%s does not hold a token" % dest)


def test_other_name_is_reissued(kuma, tmp_path):
    dest = tmp_path / "token"
    dest.write_text(token_with(500 * HOUR, name="web-2"))
    result = exit_result(dataplane_token, args(dest))
    assert result["reason"] == "issued for name 'web-2', not 'web-1'"


def test_return_content(kuma, tmp_path):
    dest = tmp_path / "token"
    result = exit_result(dataplane_token, args(dest, return_content=True))
    assert result["content"] == dest.read_text()
    result = exit_result(dataplane_token, args(dest, return_content=True))
    assert result["changed"] is False
    assert result["content"] == dest.read_text()


def test_mode_owner_change_only(kuma, tmp_path):
    dest = tmp_path / "token"
    exit_result(dataplane_token, args(dest))
    kuma.generate_dataplane_token.reset_mock()
    result = exit_result(dataplane_token, args(dest, mode="0640"))
    assert result["changed"] is True
    assert result["reason"] is None
    assert mode_of(dest) == 0o640
    assert not kuma.generate_dataplane_token.called


def test_no_dest_needs_return_content(kuma, tmp_path):
    result = fail_result(dataplane_token, dict(url=URL, name="web-1"))
    assert "return_content" in result["msg"]
    result = exit_result(dataplane_token, dict(url=URL, name="web-1", return_content=True))
    assert result["reason"] == "no dest to compare with"
    assert result["content"].count(".") == 2


def test_bad_durations_fail_before_any_call(kuma, tmp_path):
    result = fail_result(dataplane_token, args(tmp_path / "t", valid_for="30 days"))
    assert result["msg"].startswith("valid_for: invalid duration")
    result = fail_result(dataplane_token, args(tmp_path / "t", valid_for="24h", renew_before="72h"))
    assert "must be shorter than valid_for" in result["msg"]
    assert called_methods(kuma) == []


def test_api_error(kuma, tmp_path):
    kuma.generate_dataplane_token.side_effect = KumaError(
        "kuma-cp POST %s/tokens/dataplane answered 403: the token lacks the rights for this call" % URL,
        url=URL + "/tokens/dataplane", status=403)
    dest = tmp_path / "token"
    result = fail_result(dataplane_token, args(dest))
    assert result["status"] == 403
    assert "answered 403" in result["msg"]
    assert not dest.exists()


def test_unreachable(kuma, tmp_path):
    kuma.generate_dataplane_token.side_effect = KumaUnreachable(
        "kuma-cp at %s is unreachable after 5 attempts: [Errno 111] Connection refused" % URL,
        url=URL + "/tokens/dataplane")
    result = fail_result(dataplane_token, args(tmp_path / "token"))
    assert URL in result["msg"]
    assert "unreachable" in result["msg"]


# --------------------------------------------------------------------------- batch

def test_batch_concurrent(kuma, tmp_path):
    threads = set()
    barrier = threading.Barrier(4, timeout=5)
    fake = issue()

    def concurrent(self, *a, **kw):
        threads.add(threading.current_thread().name)
        barrier.wait()  # all four requests are in flight at the same time
        return fake(self, *a, **kw)

    kuma.generate_dataplane_token.side_effect = concurrent
    items = [dict(name="web-%d" % i, dest=str(tmp_path / ("web-%d" % i))) for i in range(4)]
    result = exit_result(dataplane_token, dict(url=URL, tokens=items, concurrency=4))
    assert result["changed"] is True
    assert len(threads) == 4
    assert [r["name"] for r in result["results"]] == ["web-0", "web-1", "web-2", "web-3"]
    for i, item in enumerate(result["results"]):
        assert item["changed"] is True
        assert item["claims"]["Name"] == "web-%d" % i
        assert "content" not in item
        assert mode_of(tmp_path / ("web-%d" % i)) == 0o600

    # second run: nothing to do, no call
    kuma.generate_dataplane_token.reset_mock()
    kuma.generate_dataplane_token.side_effect = issue()
    result = exit_result(dataplane_token, dict(url=URL, tokens=items))
    assert result["changed"] is False
    assert not kuma.generate_dataplane_token.called

    # one item changes mesh: only it is reissued
    items[2]["mesh"] = "payments"
    result = exit_result(dataplane_token, dict(url=URL, tokens=items), check_mode=True)
    assert [r["changed"] for r in result["results"]] == [False, False, True, False]
    assert result["results"][2]["reason"] == "issued for mesh 'default', not 'payments'"
    assert not kuma.generate_dataplane_token.called
    result = exit_result(dataplane_token, dict(url=URL, tokens=items))
    assert kuma.generate_dataplane_token.call_count == 1
    assert result["results"][2]["claims"]["Mesh"] == "payments"


def test_batch_partial_failure_reports_every_item(kuma, tmp_path):
    fake = issue()

    def sometimes(self, name, mesh, *a, **kw):
        if name == "web-1":
            raise KumaError("kuma-cp POST %s/tokens/dataplane answered 404: Signing Key not found" % URL)
        return fake(self, name, mesh, *a, **kw)

    kuma.generate_dataplane_token.side_effect = sometimes
    items = [dict(name="web-%d" % i, dest=str(tmp_path / ("web-%d" % i))) for i in range(3)]
    result = fail_result(dataplane_token, dict(url=URL, tokens=items))
    assert result["msg"].startswith("1 of 3 tokens could not be issued: web-1: kuma-cp POST")
    assert result["changed"] is True
    assert [r.get("failed", False) for r in result["results"]] == [False, True, False]
    assert (tmp_path / "web-0").exists()
    assert not (tmp_path / "web-1").exists()


def test_batch_input_errors(kuma, tmp_path):
    items = [dict(dest=str(tmp_path / "a")), dict(name="x", dest=str(tmp_path / "b")),
             dict(name="y", dest=str(tmp_path / "b"))]
    result = fail_result(dataplane_token, dict(url=URL, tokens=items))
    assert result["msg"] == "tokens[0]: needs name or tags; tokens: dest %s is used more than once" % (
        tmp_path / "b")
    assert called_methods(kuma) == []


def test_batch_and_single_are_exclusive(kuma, tmp_path):
    result = fail_result(dataplane_token, dict(url=URL, name="x", tokens=[dict(name="y", dest=str(tmp_path))]))
    assert "mutually exclusive" in result["msg"]
