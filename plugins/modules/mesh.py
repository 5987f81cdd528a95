# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mesh
short_description: Manage a Kuma Mesh in kuma-cp
description:
  - Creates, updates (C(PUT)) or deletes (C(DELETE)) a C(Mesh) through kuma-cp's HTTP API.
  - The Mesh is compared with what kuma-cp returns, ignoring what kuma-cp adds (C(creationTime),
    C(modificationTime), C(kri), labels whose key starts with C(kuma.io/)), so a repeated run reports no change.
author:
  - kumaops contributors (@kumaops)
extends_documentation_fragment:
  - kumaops.mesh.connection
  - kumaops.mesh.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    support: full
    platforms: posix
options:
  name:
    description:
      - Name of the Mesh.
    type: str
    required: true
  state:
    description:
      - Whether the Mesh should exist.
      - kuma-cp refuses to delete a Mesh that still has data plane proxies.
    type: str
    choices: [present, absent]
    default: present
  spec:
    description:
      - The other fields of the Mesh, with Kuma's lowerCamelCase names, for example C(mtls), C(metrics),
        C(networking), C(routing), C(meshServices), C(skipCreatingInitialPolicies) or C(labels).
      - The Mesh is replaced as a whole, so a field left out is removed from the Mesh.
      - Must not contain C(type), C(name) or C(mesh).
    type: dict
    default: {}
seealso:
  - module: kumaops.mesh.dataplane
"""

EXAMPLES = r"""
- name: A mesh with mTLS from the builtin CA
  kumaops.mesh.mesh:
    url: http://127.0.0.1:5681
    name: payments
    spec:
      mtls:
        enabledBackend: ca-1
        backends:
          - name: ca-1
            type: builtin

- name: Remove a mesh
  kumaops.mesh.mesh:
    url: http://127.0.0.1:5681
    name: payments
    state: absent
"""

RETURN = r"""
mesh:
  description: The Mesh as kuma-cp returns it after the change (in check mode, the Mesh that would be sent).
  returned: when O(state=present)
  type: dict
  sample:
    type: Mesh
    name: payments
    mtls:
      enabledBackend: ca-1
      backends:
        - name: ca-1
          type: builtin
created:
  description: Whether the Mesh was (or, in check mode, would be) created rather than updated.
  returned: always
  type: bool
  sample: false
kuma_warnings:
  description: Warnings kuma-cp gave for the C(PUT) (they are also shown as Ansible warnings).
  returned: always
  type: list
  elements: str
  sample: []
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_module import (
    client_from_module, ensure_resource, kuma_argument_spec, kuma_minor)

RESERVED = ("type", "name", "mesh")


def build_mesh(name, spec):
    resource = {"type": "Mesh", "name": name}
    for key, value in (spec or {}).items():
        resource[key] = value
    return resource


def main():
    module = AnsibleModule(
        argument_spec=kuma_argument_spec(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            spec=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = module.params
    kuma_minor(module)
    reserved = [key for key in RESERVED if key in (p["spec"] or {})]
    if reserved:
        module.fail_json(msg="spec must not contain %s: use the name option" % ", ".join(reserved))
    client = client_from_module(module)
    result = ensure_resource(
        module, p["state"],
        read=lambda: client.get_mesh(p["name"]),
        desired=build_mesh(p["name"], p["spec"]),
        write=client.put_mesh,
        remove=lambda: client.delete_mesh(p["name"]),
        key="mesh",
    )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
