# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dataplane_token
short_description: Issue Kuma dataplane tokens, and renew them only when needed
description:
  - Issues a dataplane token with kuma-cp's C(POST /tokens/dataplane) and writes it to O(dest).
  - Idempotent. When O(dest) already holds a token issued for the same name, mesh, tags and proxy type that
    is valid for longer than O(renew_before), nothing is issued (and kuma-cp is not called).
    Otherwise a new token is issued and RV(reason) says why.
  - O(dest) is a path on the host the module runs on; run the module on the proxy's host, or delegate it to
    the controller and copy the file.
  - With O(tokens), issues many tokens in one call, O(concurrency) at a time.
  - The token is never part of the result unless O(return_content=true).
author:
  - kumaops contributors (@kumaops)
extends_documentation_fragment:
  - kumaops.mesh.connection
  - kumaops.mesh.attributes
attributes:
  check_mode:
    support: full
    details:
      - In check mode no token is issued and kuma-cp is not called; RV(reason) tells why one would be issued.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
options:
  name:
    description:
      - Name of the Dataplane the token is for (C(--name) of kuma-dp).
      - Without O(name), the token is valid for every proxy of the mesh that has the O(tags).
    type: str
  mesh:
    description:
      - Mesh of the Dataplane. With O(tokens), the mesh of the items that do not name one.
    type: str
    default: default
  tags:
    description:
      - Tags the proxy must have; each value is a string or a list of allowed strings.
    type: dict
  proxy_type:
    description:
      - Proxy type the token is restricted to. With O(tokens), the type of the items that do not name one.
      - kuma-cp issues dataplane tokens for C(dataplane) proxies only (it rejects other types on
        C(POST /tokens/dataplane)); zone ingress and egress use zone tokens.
    type: str
    choices: [dataplane]
  valid_for:
    description:
      - How long the token is valid, as a Go duration (V(720h), V(24h30m)).
    type: str
    default: 720h
  renew_before:
    description:
      - A token that expires in less than this (a Go duration) is replaced. Must be shorter than O(valid_for).
    type: str
    default: 72h
  dest:
    description:
      - File to write the token to (kuma-dp C(--dataplane-token-file)). Written atomically.
      - Without O(dest), a token is issued on every run; O(return_content=true) is then required.
    type: path
  owner:
    description:
      - Owner of the token files.
    type: str
  group:
    description:
      - Group of the token files.
    type: str
  mode:
    description:
      - Mode of the token files, as a quoted octal string or in symbolic form.
    type: raw
    default: '0600'
  force:
    description:
      - Issue new tokens even when the existing ones are still good.
    type: bool
    default: false
  return_content:
    description:
      - Return the token (RV(content)). It is secret; use with C(no_log) on the task.
    type: bool
    default: false
  tokens:
    description:
      - Many tokens in one call, instead of O(name), O(tags) and O(dest).
      - Each item is issued as the single form would be, with O(valid_for), O(renew_before), O(force),
        O(return_content), O(owner), O(group) and O(mode) applying to all.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the Dataplane. An item needs O(tokens[].name) or O(tokens[].tags).
        type: str
      mesh:
        description: Mesh of the Dataplane. Defaults to O(mesh).
        type: str
      tags:
        description: Tags the proxy must have.
        type: dict
      proxy_type:
        description: Proxy type. Defaults to O(proxy_type).
        type: str
        choices: [dataplane]
      dest:
        description: File to write the token to.
        type: path
        required: true
  concurrency:
    description:
      - How many tokens of O(tokens) are requested from kuma-cp at the same time.
    type: int
    default: 16
notes:
  - The token's claims are read without verifying its signature (only kuma-cp can); a token revoked in kuma-cp
    is not noticed. Use O(force=true) to replace it.
seealso:
  - module: kumaops.mesh.dataplane
"""

EXAMPLES = r"""
- name: A token for the proxy of this host, renewed in its last 3 days
  kumaops.mesh.dataplane_token:
    url: https://kuma-cp.example.com:5682
    token: "{{ kuma_admin_token }}"
    name: "{{ inventory_hostname }}"
    mesh: default
    tags:
      kuma.io/service: web
    valid_for: 720h
    renew_before: 72h
    dest: /etc/kuma/token
    owner: kuma-dp
    mode: '0600'

- name: Tokens for the whole fleet in one call, on the controller
  kumaops.mesh.dataplane_token:
    url: http://127.0.0.1:5681
    concurrency: 8
    tokens:
      - name: web-1
        dest: /srv/tokens/web-1
      - name: web-2
        dest: /srv/tokens/web-2
        tags:
          kuma.io/service: [web, web-api]
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
claims:
  description: Public claims of the token in O(dest) after the run (never the token itself); null in check mode
    when a token would be issued.
  returned: single form
  type: dict
  sample:
    Name: web-1
    Mesh: default
    Tags:
      kuma.io/service: [web]
    jti: 1f0c1a6e-0a52-4c6a-9c0c-3c5c2a1f0b7e
    iat: 1767225600
    exp: 1769817605
reason:
  description: Why a token was (or, in check mode, would be) issued; null when the existing one is kept.
  returned: single form
  type: str
  sample: expires in 172000s, inside the renewal window of 259200s
dest:
  description: The token file.
  returned: single form, when O(dest) is set
  type: str
  sample: /etc/kuma/token
content:
  description: The token (a JWT).
  returned: single form, when O(return_content=true)
  type: str
results:
  description: One entry per item of O(tokens), in order, with the keys of the single form plus C(name),
    C(mesh), C(changed), and C(failed) and C(msg) for an item that could not be issued.
  returned: with O(tokens)
  type: list
  elements: dict
  sample:
    - name: web-1
      mesh: default
      dest: /srv/tokens/web-1
      changed: true
      reason: /srv/tokens/web-1 does not exist
      claims:
        Name: web-1
        Mesh: default
        exp: 1769817605
"""

import time

from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_client import KumaError
from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_module import (
    client_from_module, fail_kuma, file_args, kuma_argument_spec, kuma_minor, one_line, read_text,
    write_file_atomic)
from ansible_collections.kumaops.mesh.plugins.module_utils.tokens import (
    TokenError, decode_claims, parse_duration, public_claims, renewal_reason)

PROXY_TYPES = ["dataplane"]


def argument_spec():
    return kuma_argument_spec(
        name=dict(type="str"),
        mesh=dict(type="str", default="default"),
        tags=dict(type="dict"),
        proxy_type=dict(type="str", choices=PROXY_TYPES),
        valid_for=dict(type="str", default="720h"),
        renew_before=dict(type="str", default="72h"),
        dest=dict(type="path"),
        owner=dict(type="str"),
        group=dict(type="str"),
        mode=dict(type="raw", default="0600"),
        force=dict(type="bool", default=False),
        return_content=dict(type="bool", default=False),
        tokens=dict(type="list", elements="dict", no_log=False, options=dict(
            name=dict(type="str"),
            mesh=dict(type="str"),
            tags=dict(type="dict"),
            proxy_type=dict(type="str", choices=PROXY_TYPES),
            dest=dict(type="path", required=True),
        )),
        concurrency=dict(type="int", default=16),
    )


def norm_tags(tags):
    """Tag values as strings or lists of strings."""
    out = {}
    for key, value in (tags or {}).items():
        if isinstance(value, (list, tuple)):
            out[str(key)] = [to_native(v) for v in value]
        else:
            out[str(key)] = to_native(value)
    return out


class Request(object):
    """One token to have: what it is for, where it goes, and what was decided."""

    def __init__(self, name, mesh, tags, proxy_type, dest):
        self.name = name
        self.mesh = mesh
        self.tags = norm_tags(tags)
        self.proxy_type = proxy_type
        self.dest = dest
        self.reason = None
        self.claims = None
        self.token = None
        self.changed = False
        self.error = None

    def label(self):
        return self.name or self.dest or "(tags %s)" % sorted(self.tags)

    def plan(self, force, renew_before, now):
        """Decide from dest alone whether a token must be issued (sets reason)."""
        if force:
            self.reason = "force"
            return
        if not self.dest:
            self.reason = "no dest to compare with"
            return
        text = read_text(self.dest)
        if text is None:
            self.reason = "%s does not exist" % self.dest
            return
        try:
            claims = decode_claims(text.strip())
        except TokenError as e:
            self.reason = "%s does not hold a token (%s)" % (self.dest, e)
            return
        self.reason = renewal_reason(claims, self.name, self.mesh, self.tags, self.proxy_type, renew_before, now)
        if self.reason is None:
            self.claims = public_claims(claims)
            self.token = text.strip()

    def issue(self, client, valid_for):
        """Runs in a worker thread: only the API call."""
        try:
            self.token = client.generate_dataplane_token(self.name, self.mesh, self.tags or None, self.proxy_type,
                                                         valid_for)
        except KumaError as e:
            self.error = e

    def result(self, return_content):
        out = dict(changed=self.changed, reason=self.reason, claims=self.claims)
        if self.dest:
            out["dest"] = self.dest
        if return_content and self.token is not None:
            out["content"] = self.token
        return out


def settle(module, req, issued):
    """After the decision (and the API call): write the file or check its attributes."""
    p = module.params
    if issued:
        req.changed = True
        if module.check_mode:
            return
        try:
            claims = decode_claims(req.token)
        except TokenError as e:
            req.error = "kuma-cp answered with something that is not a token: %s" % e
            req.token = None
            return
        req.claims = public_claims(claims)
        if req.dest:
            write_file_atomic(module, req.dest, req.token, p["mode"], p["owner"], p["group"])
    elif req.dest:
        req.changed = module.set_fs_attributes_if_different(
            file_args(module, req.dest, p["mode"], p["owner"], p["group"]), False)


def durations(module):
    p = module.params
    try:
        valid_for = parse_duration(p["valid_for"])
    except TokenError as e:
        module.fail_json(msg="valid_for: %s" % e)
    try:
        renew_before = parse_duration(p["renew_before"])
    except TokenError as e:
        module.fail_json(msg="renew_before: %s" % e)
    if renew_before >= valid_for:
        module.fail_json(msg="renew_before (%s) must be shorter than valid_for (%s), or every run issues a new token"
                             % (p["renew_before"], p["valid_for"]))
    return valid_for, renew_before


def requests_of(module):
    p = module.params
    if p["tokens"] is None:
        if not p["dest"] and not p["return_content"]:
            module.fail_json(msg="dest is required unless return_content=true (the token would be lost)")
        return [Request(p["name"], p["mesh"], p["tags"], p["proxy_type"], p["dest"])]
    reqs, problems = [], []
    for i, item in enumerate(p["tokens"]):
        if not item.get("name") and not item.get("tags"):
            problems.append("tokens[%d]: needs name or tags" % i)
        reqs.append(Request(item.get("name"), item.get("mesh") or p["mesh"], item.get("tags"),
                            item.get("proxy_type") or p["proxy_type"], item.get("dest")))
    dests = [r.dest for r in reqs]
    for dest in sorted(set(d for d in dests if dests.count(d) > 1)):
        problems.append("tokens: dest %s is used more than once" % dest)
    if problems:
        module.fail_json(msg="; ".join(problems))
    return reqs


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[("tokens", "name"), ("tokens", "tags"), ("tokens", "dest")],
        required_one_of=[("name", "tags", "tokens")],
        supports_check_mode=True,
    )
    p = module.params
    kuma_minor(module)
    if p["concurrency"] < 1:
        module.fail_json(msg="concurrency must be at least 1")
    valid_for, renew_before = durations(module)
    reqs = requests_of(module)

    now = time.time()
    for req in reqs:
        req.plan(p["force"], renew_before, now)
    due = [r for r in reqs if r.reason is not None]

    if due and not module.check_mode:
        client = client_from_module(module)
        if len(due) == 1:
            due[0].issue(client, p["valid_for"])
        else:
            with ThreadPoolExecutor(max_workers=min(p["concurrency"], len(due))) as pool:
                list(pool.map(lambda r: r.issue(client, p["valid_for"]), due))

    for req in reqs:
        if req.error is None:
            settle(module, req, req.reason is not None)

    changed = any(r.changed for r in reqs)
    if p["tokens"] is None:
        req = reqs[0]
        if req.error is not None:
            if isinstance(req.error, KumaError):
                fail_kuma(module, req.error, reason=req.reason)
            module.fail_json(msg=req.error, reason=req.reason)
        module.exit_json(**req.result(p["return_content"]))

    results = []
    for req in reqs:
        item = dict(name=req.name, mesh=req.mesh)
        item.update(req.result(p["return_content"]))
        if req.error is not None:
            item.update(failed=True, msg=one_line(str(req.error)))
        results.append(item)
    failed = [r for r in reqs if r.error is not None]
    if failed:
        module.fail_json(
            msg="%d of %d tokens could not be issued: %s" % (
                len(failed), len(reqs), "; ".join("%s: %s" % (r.label(), one_line(str(r.error))) for r in failed)),
            changed=changed, results=results)
    module.exit_json(changed=changed, results=results)


if __name__ == "__main__":
    main()
