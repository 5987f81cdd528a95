# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Helpers of the pulumi_kumaops unit tests: import the package from the source tree, make JWTs.

Imported by the test modules of this folder (pytest puts the folder on
sys.path).  Without the Pulumi SDK or the pulumi/ folder (the collection as
built by ansible-galaxy leaves pulumi/ out) the tests are reported as skipped.
"""

import base64
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PULUMI_SRC = ROOT / "pulumi"

if not (PULUMI_SRC / "pulumi_kumaops").is_dir():
    pytest.skip("pulumi/ (the Pulumi provider) is not in this tree", allow_module_level=True)
pytest.importorskip("pulumi", reason="the Pulumi SDK is not installed (pip install -r pulumi/requirements.txt)")
if str(PULUMI_SRC) not in sys.path:
    sys.path.insert(0, str(PULUMI_SRC))


def jwt(claims):
    """An unsigned-looking JWT with these claims (only kuma-cp checks signatures)."""
    def seg(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return "%s.%s.%s" % (seg({"alg": "RS256", "kid": "1", "typ": "JWT"}), seg(claims), "c2lnbmF0dXJl")


def no_kuma_cp(monkeypatch):
    """Make any kuma-cp API call fail the test."""
    from pulumi_kumaops._core import kuma_client

    def refuse(self, method, path, *a, **kw):
        raise AssertionError("unexpected kuma-cp call: %s %s" % (method, path))

    monkeypatch.setattr(kuma_client.KumaClient, "request", refuse)
