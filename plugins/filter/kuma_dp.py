# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Filters that expose the shared kuma-dp renderer and Dataplane validator."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.kumaops.mesh.plugins.module_utils import dataplane as dp
from ansible_collections.kumaops.mesh.plugins.module_utils import kuma_dp


def _config(spec):
    try:
        return kuma_dp.instance_config(dict(spec))
    except kuma_dp.KumaDpConfigError as e:
        raise AnsibleFilterError("kuma-dp instance %s: %s" % (spec.get("instance"), e))


def kuma_dp_config(spec):
    """The full instance configuration (paths and ports resolved)."""
    return _config(spec)


def kuma_dp_unit(spec, header="Managed by kumaops"):
    """The systemd unit file of one kuma-dp instance."""
    return kuma_dp.render_unit(_config(spec), header=header.replace("\n", " "))


def kuma_dp_args(spec):
    """The kuma-dp run argv of one instance."""
    return kuma_dp.run_args(_config(spec))


def dataplane_violations(resource, kuma_version="2.14.3"):
    """Every reason kuma-cp would reject a Dataplane, as "field: message" strings."""
    try:
        return ["%s: %s" % (v.field, v.message) for v in dp.validate_dataplane(resource, kuma_version)]
    except ValueError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {
            "kuma_dp_config": kuma_dp_config,
            "kuma_dp_unit": kuma_dp_unit,
            "kuma_dp_args": kuma_dp_args,
            "dataplane_violations": dataplane_violations,
        }
