# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Differential validation: the project's validator against the real kuma-cp.

tests/dataplane_corpus.py generates the specs (good and bad, every rule). For
each Kuma version, every spec goes to the validator and to kuma-cp (PUT);
accept/reject must agree, and for rejects the field paths must be equal.
"""

import collections
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from ansible_collections.kumaops.mesh.plugins.module_utils import dataplane as dp
from dataplane_corpus import MUTATIONS, corpus


def test_corpus_covers_every_rule_family_with_accepts_and_rejects():
    specs = corpus()
    assert len(specs) >= 300
    labels = " ".join(label for label, _ in specs)
    for m in MUTATIONS:
        assert m.__name__[2:] in labels
    for version in ("2.13.10", "2.14.3"):
        results = [dp.validate_dataplane(spec, version) for _, spec in specs]
        rejects = [r for r in results if r]
        assert len(rejects) >= 100 and len(results) - len(rejects) >= 50, (len(rejects), len(results))
        messages = {v.message.split('"')[0] for r in rejects for v in r}
        assert len(messages) >= 15, sorted(messages)
    # Deterministic: the same seed gives the same corpus.
    assert json.dumps(corpus()) == json.dumps(specs)


def put(cp, spec):
    path = "/meshes/%s/dataplanes/%s" % (spec["mesh"], urllib.parse.quote(spec["name"], safe=""))
    req = urllib.request.Request(cp["api_url"] + path, data=json.dumps(spec).encode(), method="PUT",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + cp["admin_token"]})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status = resp.status
    except urllib.error.HTTPError as e:
        body = json.loads(e.read() or b"{}")
        return e.code, sorted({p["field"] for p in body.get("invalid_parameters") or []})
    delete = urllib.request.Request(cp["api_url"] + path, method="DELETE",
                                    headers={"Authorization": "Bearer " + cp["admin_token"]})
    urllib.request.urlopen(delete, timeout=10).close()
    return status, []


@pytest.mark.kuma
@pytest.mark.lab
def test_validator_agrees_with_kuma_cp_on_every_spec(kuma_cp, kuma_version):
    mismatches = []
    tally = collections.Counter()
    for label, spec in corpus():
        ours = sorted({v.field for v in dp.validate_dataplane(spec, kuma_version)})
        status, theirs = put(kuma_cp, spec)
        accepted = status in (200, 201)
        tally["accepted" if accepted else "rejected"] += 1
        if accepted != (not ours) or (not accepted and (status != 400 or ours != theirs)):
            mismatches.append("%s: kuma-cp %d %s, validator %s" % (label, status, theirs, ours))
    assert not mismatches, "%d of %d specs disagree (%s):\n%s" % (
        len(mismatches), sum(tally.values()), dict(tally), "\n".join(mismatches))
