# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Private base of the kumaops.mesh modules (not a public API).

Modelled on community.general's consul module_utils and community.hashi_vault:

* ``connection_argument_spec()`` - the connection options of the
  ``kumaops.mesh.connection`` doc fragment, with their environment fallbacks;
* ``client_from_module(module)`` - a ``KumaClient`` built from those options;
* ``ensure_resource(...)`` - read -> compare (on ``normalize_for_compare``
  output) -> create/update/delete, honouring check mode and producing
  ``diff`` {before, after};
* ``fail_kuma`` / ``fail_violations`` - one-line failure messages;
* ``write_file_atomic`` / ``read_text`` - files written through
  ``module.atomic_move`` (a new file never exists with a wider mode than 0600
  while it is being written);
* ``substitute_placeholders`` - sample values for kuma-dp's mustache
  placeholders, so that a Dataplane file template can be validated.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import errno
import os
import re
import tempfile

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text

from ansible_collections.kumaops.mesh.plugins.module_utils.dataplane import minor_of, normalize_for_compare
from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_client import KumaClient, KumaError

DEFAULT_KUMA_VERSION = "2.14.3"


def connection_argument_spec():
    """The options of the kumaops.mesh.connection doc fragment."""
    return dict(
        url=dict(type="str", fallback=(env_fallback, ["KUMA_CP_URL"])),
        token=dict(type="str", no_log=True, fallback=(env_fallback, ["KUMA_TOKEN"])),
        ca_cert=dict(type="path", fallback=(env_fallback, ["KUMA_CA_CERT"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["KUMA_VALIDATE_CERTS"])),
        client_cert=dict(type="path"),
        client_key=dict(type="path", no_log=False),
        timeout=dict(type="int", default=10),
        retries=dict(type="int", default=4),
        kuma_version=dict(type="str", default=DEFAULT_KUMA_VERSION, fallback=(env_fallback, ["KUMA_VERSION"])),
    )


def kuma_argument_spec(**options):
    """connection_argument_spec() plus the module's own options."""
    spec = connection_argument_spec()
    spec.update(options)
    return spec


def one_line(text):
    return " ".join(to_native(text).split())


def fail_kuma(module, error, **result):
    """fail_json for a KumaError: one line naming the URL, plus structured details."""
    details = dict(result)
    if getattr(error, "url", None):
        details["url"] = error.url
    if getattr(error, "status", None) is not None:
        details["status"] = error.status
    if getattr(error, "invalid_parameters", None):
        details["invalid_parameters"] = error.invalid_parameters
    module.fail_json(msg=one_line(str(error)), **details)


def fail_violations(module, what, minor, violations, **result):
    """fail_json listing every validation violation in one message."""
    module.fail_json(
        msg="%s is not valid for Kuma %s: %s" % (what, minor, "; ".join(str(v) for v in violations)),
        violations=[dict(field=v.field, message=v.message) for v in violations],
        **result
    )


def kuma_minor(module):
    """The Kuma minor selected by kuma_version ('2.14'); fails the module when unsupported."""
    try:
        return minor_of(module.params["kuma_version"])
    except ValueError as e:
        module.fail_json(msg="kuma_version: %s" % e)


def client_from_module(module):
    """A KumaClient for the module's connection options (fails the module on bad options)."""
    p = module.params
    if p.get("client_key") and not p.get("client_cert"):
        module.fail_json(msg="client_key needs client_cert")
    try:
        return KumaClient(
            p.get("url"),
            token=p.get("token"),
            ca_cert=p.get("ca_cert"),
            validate_certs=p.get("validate_certs", True),
            client_cert=p.get("client_cert"),
            client_key=p.get("client_key"),
            timeout=p.get("timeout", 10),
            retries=p.get("retries", 4),
        )
    except KumaError as e:
        fail_kuma(module, e)
    except (IOError, OSError, ValueError) as e:
        module.fail_json(msg="cannot set up TLS for kuma-cp at %s: %s" % (p.get("url"), one_line(e)))


# --------------------------------------------------------------------------
# resources: read -> compare -> create/update/delete
# --------------------------------------------------------------------------

def prune(value):
    """Drop None values and empty maps/lists (kuma-cp does not return them)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = prune(v)
            if v is None or (isinstance(v, (dict, list)) and not v):
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def comparable(resource, normalize=normalize_for_compare):
    """What is compared of a resource: normalized, pruned; None when absent."""
    if resource is None:
        return None
    return prune(normalize(resource))


def ensure_resource(module, state, read, desired=None, write=None, remove=None, normalize=normalize_for_compare,
                    key="resource"):
    """The generic runner.

    ``read()`` returns the current resource or None, ``write(desired)`` returns
    (created, warnings), ``remove()`` deletes.  KumaError from any of them
    fails the module with one line.  Returns the result dict: changed,
    created, kuma_warnings, ``key`` (the resource when state=present) and diff
    when the module runs in diff mode.
    """
    try:
        current = read()
    except KumaError as e:
        fail_kuma(module, e)
    before = comparable(current, normalize)
    after = comparable(desired, normalize) if state == "present" else None
    result = dict(changed=False, created=False, kuma_warnings=[])
    if state == "present":
        resource = current
        if before != after:
            result["changed"] = True
            result["created"] = current is None
            resource = desired
            if not module.check_mode:
                try:
                    created, warnings = write(desired)
                    result["created"] = bool(created)
                    result["kuma_warnings"] = list(warnings or [])
                    for warning in result["kuma_warnings"]:
                        module.warn("kuma-cp: %s" % warning)
                    resource = read() or desired
                except KumaError as e:
                    fail_kuma(module, e)
        result[key] = resource
    else:
        if current is not None:
            result["changed"] = True
            if not module.check_mode:
                try:
                    remove()
                except KumaError as e:
                    fail_kuma(module, e)
    if module._diff:
        result["diff"] = dict(before=before or {}, after=after or {})
    return result


# --------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------

def read_text(path):
    """The text of path, or None when it does not exist."""
    try:
        with open(to_bytes(path, errors="surrogate_or_strict"), "rb") as f:
            return to_text(f.read(), errors="surrogate_or_strict")
    except (IOError, OSError) as e:
        if e.errno == errno.ENOENT:
            return None
        raise


def file_args(module, dest, mode=None, owner=None, group=None):
    return module.load_file_common_arguments(dict(path=dest, mode=mode, owner=owner, group=group))


def write_file_atomic(module, dest, content, mode=None, owner=None, group=None):
    """Write content to dest via module.atomic_move, then apply mode/owner/group.

    A file that does not exist yet is first created empty with mode 0600 and
    given the final mode/owner/group before the content is moved in (atomic_move
    keeps the attributes of dest), so the content is never readable with a
    wider mode than the requested one.
    """
    b_dest = to_bytes(dest, errors="surrogate_or_strict")
    b_dir = os.path.dirname(b_dest) or b"."
    if not os.path.isdir(b_dir):
        module.fail_json(msg="the directory of %s does not exist" % dest)
    placeholder = not os.path.exists(b_dest)
    if placeholder:
        fd = os.open(b_dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    tmp = None
    try:
        # atomic_move keeps the attributes of dest: give dest the final ones first.
        module.set_fs_attributes_if_different(file_args(module, dest, mode, owner, group), True)
        fd, tmp = tempfile.mkstemp(dir=b_dir, prefix=b".kumaops-")
        with os.fdopen(fd, "wb") as f:
            f.write(to_bytes(content, errors="surrogate_or_strict"))
        module.atomic_move(tmp, b_dest)
        placeholder = False
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        if placeholder and os.path.exists(b_dest) and os.path.getsize(b_dest) == 0:
            os.unlink(b_dest)
    module.set_fs_attributes_if_different(file_args(module, dest, mode, owner, group), True)


def ensure_file(module, dest, content, mode=None, owner=None, group=None):
    """Idempotent text file (content, then mode/owner/group): returns (changed, before_text)."""
    before = read_text(dest)
    if before != content:
        if not module.check_mode:
            write_file_atomic(module, dest, content, mode, owner, group)
        return True, before
    changed = module.set_fs_attributes_if_different(file_args(module, dest, mode, owner, group), False)
    return changed, before


def remove_file(module, dest):
    """Remove dest; returns (changed, before_text)."""
    before = read_text(dest)
    if before is None:
        return False, None
    if not module.check_mode:
        os.unlink(to_bytes(dest, errors="surrogate_or_strict"))
    return True, before


# --------------------------------------------------------------------------
# kuma-dp mustache placeholders
# --------------------------------------------------------------------------

# {{{ name }}} (raw), {{& name }} (raw), {{ name }} (HTML-escaped): hoisie/mustache.
_PLACEHOLDER_RE = re.compile(r"\{\{\{\s*([^{}\s]+)\s*\}\}\}|\{\{(&?)\s*([^{}\s#/^!>&]+)\s*\}\}")
_GO_HTML_ESCAPES = (("&", "&amp;"), ("'", "&#39;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"))


def _html_escape(text):
    for a, b in _GO_HTML_ESCAPES:
        text = text.replace(a, b)
    return text


def placeholders(value):
    """The names of the mustache placeholders used anywhere in value (sorted)."""
    found = set()

    def walk(v):
        if isinstance(v, dict):
            for k, item in v.items():
                walk(k)
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, str):
            for m in _PLACEHOLDER_RE.finditer(v):
                found.add(m.group(1) or m.group(3))

    walk(value)
    return sorted(found)


def substitute_placeholders(value, variables):
    """A copy of value with every placeholder replaced as kuma-dp would render it.

    Returns (rendered, missing): ``missing`` lists the placeholder names that
    have no entry in variables (kuma-dp would render them empty).
    """
    variables = variables or {}
    missing = set()

    def render(text):
        def repl(m):
            raw_name, amp, name = m.group(1), m.group(2), m.group(3)
            var = raw_name or name
            if var not in variables:
                missing.add(var)
                return ""
            val = variables[var]
            val = "" if val is None else to_text(val)
            return val if (raw_name or amp) else _html_escape(val)
        return _PLACEHOLDER_RE.sub(repl, text)

    def walk(v):
        if isinstance(v, dict):
            return dict((walk(k), walk(item)) for k, item in v.items())
        if isinstance(v, list):
            return [walk(item) for item in v]
        if isinstance(v, str):
            return render(v)
        return copy.deepcopy(v)

    rendered = walk(value)
    return rendered, sorted(missing)
