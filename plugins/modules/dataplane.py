# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dataplane
short_description: Manage a Kuma Dataplane (registered in kuma-cp or as a Dataplane file)
description:
  - Validates a Kuma C(Dataplane) as kuma-cp of O(kuma_version) validates it, before anything changes.
  - With O(lifecycle=indirect), registers (C(PUT)) or removes (C(DELETE)) the Dataplane in kuma-cp.
    kuma-dp is then started with C(--name) and C(--mesh) and kuma-cp keeps the Dataplane when the proxy disconnects.
  - With O(lifecycle=direct), writes the Dataplane file for C(kuma-dp run --dataplane-file) to O(dest) instead.
    kuma-dp registers the Dataplane itself and kuma-cp removes it shortly after the proxy disconnects.
    No kuma-cp connection is needed.
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
      - Name of the Dataplane (a lowercase RFC 1123 subdomain).
    type: str
    required: true
  mesh:
    description:
      - Mesh of the Dataplane.
    type: str
    default: default
  state:
    description:
      - Whether the Dataplane should exist.
    type: str
    choices: [present, absent]
    default: present
  lifecycle:
    description:
      - V(indirect) manages the Dataplane through kuma-cp's API.
      - V(direct) manages the Dataplane file O(dest).
    type: str
    choices: [direct, indirect]
    default: indirect
  networking:
    description:
      - The C(networking) section of the Dataplane (C(address), C(inbound), C(outbound), C(gateway),
        C(transparentProxying), C(admin), ...), with Kuma's lowerCamelCase field names.
      - Required when O(state=present).
      - With O(lifecycle=direct), values may hold kuma-dp placeholders such as C({{ address }}) (rendered by
        kuma-dp from C(--dataplane-var)); quote them, or use C(!unsafe), so that Ansible does not template them.
    type: dict
  labels:
    description:
      - Labels of the Dataplane. Labels whose key starts with C(kuma.io/) are set by kuma-cp and are not compared.
    type: dict
  dest:
    description:
      - Path of the Dataplane file. Required when O(lifecycle=direct); ignored otherwise.
    type: path
  template_vars:
    description:
      - Sample values of the kuma-dp placeholders used in O(networking) and O(labels) (O(lifecycle=direct)).
      - They are substituted only to validate the Dataplane; the written file keeps the placeholders.
      - Every placeholder needs a sample value, otherwise the module fails naming the missing ones.
    type: dict
  owner:
    description:
      - Owner of O(dest) (O(lifecycle=direct)).
    type: str
  group:
    description:
      - Group of O(dest) (O(lifecycle=direct)).
    type: str
  mode:
    description:
      - Mode of O(dest) (O(lifecycle=direct)), as a quoted octal string or in symbolic form.
    type: raw
    default: '0640'
notes:
  - Field names are compared as given; use Kuma's lowerCamelCase names (C(servicePort), not C(service_port))
    so that a repeated run reports no change.
seealso:
  - module: kumaops.mesh.dataplane_token
  - module: kumaops.mesh.dataplane_info
"""

EXAMPLES = r"""
- name: Register the Dataplane of this host in kuma-cp (indirect lifecycle)
  kumaops.mesh.dataplane:
    url: https://kuma-cp.example.com:5682
    token: "{{ kuma_admin_token }}"
    ca_cert: /etc/kuma/ca.pem
    name: "{{ inventory_hostname }}"
    mesh: default
    networking:
      address: "{{ ansible_default_ipv4.address }}"
      inbound:
        - port: 18080
          servicePort: 8080
          tags:
            kuma.io/service: web
            kuma.io/protocol: http
  delegate_to: localhost

- name: Write a Dataplane file for kuma-dp --dataplane-file (direct lifecycle)
  kumaops.mesh.dataplane:
    lifecycle: direct
    name: web-1
    dest: /etc/kuma/dataplane.yaml
    owner: root
    group: kuma-dp
    mode: '0640'
    networking:
      address: !unsafe "{{ address }}"
      inbound:
        - port: 18080
          servicePort: 8080
          tags:
            kuma.io/service: web
    template_vars:
      address: 192.0.2.10

- name: Remove the Dataplane from kuma-cp
  kumaops.mesh.dataplane:
    url: http://127.0.0.1:5681
    name: web-1
    state: absent
"""

RETURN = r"""
dataplane:
  description:
    - The Dataplane resource. With O(lifecycle=indirect), as kuma-cp returns it after the change (with
      C(creationTime) and the labels kuma-cp adds); in check mode, the resource that would be sent.
  returned: when O(state=present)
  type: dict
  sample:
    type: Dataplane
    mesh: default
    name: web-1
    networking:
      address: 192.0.2.10
      inbound:
        - port: 18080
          servicePort: 8080
          tags:
            kuma.io/service: web
created:
  description: Whether the Dataplane was (or, in check mode, would be) created rather than updated.
  returned: always
  type: bool
  sample: true
kuma_warnings:
  description:
    - Warnings kuma-cp gave for the C(PUT) (they are also shown as Ansible warnings).
  returned: always
  type: list
  elements: str
  sample: []
dest:
  description: Path of the Dataplane file.
  returned: when O(lifecycle=direct)
  type: str
  sample: /etc/kuma/dataplane.yaml
violations:
  description: Every validation violation, when the Dataplane is not valid (the module fails).
  returned: failure
  type: list
  elements: dict
  sample:
    - field: networking.inbound[0].port
      message: port must be in the range [1, 65535]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kumaops.mesh.plugins.module_utils.dataplane import (
    build_resource, render_dataplane_yaml, validate_dataplane)
from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_module import (
    client_from_module, ensure_file, ensure_resource, fail_violations, kuma_argument_spec, kuma_minor,
    remove_file, substitute_placeholders)


def argument_spec():
    return kuma_argument_spec(
        name=dict(type="str", required=True),
        mesh=dict(type="str", default="default"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        lifecycle=dict(type="str", default="indirect", choices=["direct", "indirect"]),
        networking=dict(type="dict"),
        labels=dict(type="dict"),
        dest=dict(type="path"),
        template_vars=dict(type="dict"),
        owner=dict(type="str"),
        group=dict(type="str"),
        mode=dict(type="raw", default="0640"),
    )


def validate(module, resource, minor):
    """Fail (one message, every violation) unless resource is valid; nothing has changed yet."""
    p = module.params
    checked = resource
    if p["lifecycle"] == "direct":
        checked, missing = substitute_placeholders(resource, p["template_vars"])
        if missing:
            module.fail_json(msg="the Dataplane uses kuma-dp placeholders without a sample value in template_vars: %s"
                                 % ", ".join(missing), missing_template_vars=missing)
    violations = validate_dataplane(checked, minor)
    if violations:
        fail_violations(module, "Dataplane %s/%s" % (p["mesh"], p["name"]), minor, violations)


def run_direct(module, resource):
    p = module.params
    if p["state"] == "present":
        content = render_dataplane_yaml(resource)
        changed, before = ensure_file(module, p["dest"], content, p["mode"], p["owner"], p["group"])
        after = content
    else:
        changed, before = remove_file(module, p["dest"])
        after = None
    result = dict(changed=changed, created=changed and before is None and p["state"] == "present",
                  kuma_warnings=[], dest=p["dest"])
    if p["state"] == "present":
        result["dataplane"] = resource
    if module._diff:
        result["diff"] = dict(before=before or "", after=after or "", before_header=p["dest"],
                              after_header=p["dest"])
    return result


def run_indirect(module, resource):
    p = module.params
    client = client_from_module(module)
    return ensure_resource(
        module, p["state"],
        read=lambda: client.get_dataplane(p["mesh"], p["name"]),
        desired=resource,
        write=client.put_dataplane,
        remove=lambda: client.delete_dataplane(p["mesh"], p["name"]),
        key="dataplane",
    )


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_if=[("state", "present", ["networking"]), ("lifecycle", "direct", ["dest"])],
        supports_check_mode=True,
    )
    p = module.params
    minor = kuma_minor(module)
    resource = None
    if p["state"] == "present":
        resource = build_resource(p["name"], p["mesh"], p["networking"], p["labels"])
        validate(module, resource, minor)
    if p["lifecycle"] == "direct":
        result = run_direct(module, resource)
    else:
        result = run_indirect(module, resource)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
