# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Helpers for the module unit tests, in the style of community.general's.

A module's main() runs with given arguments; exit_json/fail_json raise
AnsibleExitJson/AnsibleFailJson carrying the result.  kuma-cp is never
imitated: the tests patch KumaClient's methods with unittest.mock.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import contextlib
import json
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_client import KumaClient

try:  # ansible-core >= 2.19
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # pragma: no cover - older ansible-core
    patch_module_args = None

CLIENT_METHODS = ("get_mesh", "put_mesh", "delete_mesh", "get_dataplane", "put_dataplane", "delete_dataplane",
                  "dataplane_overviews", "generate_dataplane_token", "index", "request")


class AnsibleExitJson(Exception):
    """exit_json was called: args[0] is the result."""

    @property
    def result(self):
        return self.args[0]


class AnsibleFailJson(Exception):
    """fail_json was called: args[0] is the result."""

    @property
    def result(self):
        return self.args[0]


def exit_json(*args, **kwargs):
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(kwargs)


def fail_json(*args, **kwargs):
    kwargs["failed"] = True
    raise AnsibleFailJson(kwargs)


@contextlib.contextmanager
def set_module_args(args):
    """Expose args (plus _ansible_* internals) to the AnsibleModule created inside."""
    args = dict(args)
    args.setdefault("_ansible_remote_tmp", "/tmp")
    args.setdefault("_ansible_keep_remote_files", False)
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
    else:  # pragma: no cover
        with mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))):
            yield


def run_module(module, args, check_mode=False, diff=False):
    """Run module.main() with args; returns (kind, result), kind "exit" or "fail"."""
    args = dict(args)
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with mock.patch.multiple(basic.AnsibleModule, exit_json=exit_json, fail_json=fail_json):
        with set_module_args(args):
            try:
                module.main()
            except AnsibleExitJson as e:
                return "exit", e.result
            except AnsibleFailJson as e:
                return "fail", e.result
    raise AssertionError("the module returned without exit_json or fail_json")


def exit_result(module, args, **kw):
    kind, result = run_module(module, args, **kw)
    assert kind == "exit", result
    return result


def fail_result(module, args, **kw):
    kind, result = run_module(module, args, **kw)
    assert kind == "fail", result
    return result


@contextlib.contextmanager
def patched_client():
    """Every KumaClient method patched (autospec): set return_value / side_effect per test."""
    mocks = mock.Mock()
    patchers = []
    try:
        for name in CLIENT_METHODS:
            patcher = mock.patch.object(KumaClient, name, autospec=True)
            setattr(mocks, name, patcher.start())
            patchers.append(patcher)
        yield mocks
    finally:
        for patcher in patchers:
            patcher.stop()


def called_methods(mocks):
    return [name for name in CLIENT_METHODS if getattr(mocks, name).called]


def make_jwt(claims):
    """An unsigned JWT with these claims (what the module reads; kuma-cp signs the real ones)."""
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode("utf-8")).rstrip(b"=").decode("ascii")
    return "%s.%s.%s" % (part({"alg": "RS256", "typ": "JWT"}), part(claims), "c2lnbmF0dXJl")
