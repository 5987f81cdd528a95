# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dataplane_info
short_description: List Kuma Dataplanes with their online state and versions
description:
  - Reads the Dataplane overviews (C(GET /meshes/{mesh}/dataplanes/_overview)) of kuma-cp and returns, for each
    Dataplane, whether its proxy is connected, to which kuma-cp instance, the kuma-dp and Envoy versions, and the
    readiness of its inbounds.
author:
  - kumaops contributors (@kumaops)
extends_documentation_fragment:
  - kumaops.mesh.connection
  - kumaops.mesh.attributes
  - kumaops.mesh.attributes.info_module
attributes:
  platform:
    support: full
    platforms: posix
options:
  mesh:
    description:
      - Only Dataplanes of this mesh. All meshes when not set.
    type: str
  name:
    description:
      - Only the Dataplane of this exact name.
    type: str
  tags:
    description:
      - Only Dataplanes with an inbound that has all these tags (kuma-cp's C(tag) filter).
    type: dict
seealso:
  - module: kumaops.mesh.dataplane
"""

EXAMPLES = r"""
- name: Is the proxy of this host connected?
  kumaops.mesh.dataplane_info:
    url: http://127.0.0.1:5681
    mesh: default
    name: "{{ inventory_hostname }}"
  register: dp
  delegate_to: localhost

- name: Wait until every proxy of the web service is online
  kumaops.mesh.dataplane_info:
    url: http://127.0.0.1:5681
    tags:
      kuma.io/service: web
  register: web
  until: web.dataplanes | rejectattr('online') | list | length == 0
  retries: 30
  delay: 2
"""

RETURN = r"""
dataplanes:
  description: The Dataplanes that match, sorted by mesh and name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the Dataplane.
      type: str
      sample: web-1
    mesh:
      description: Mesh of the Dataplane.
      type: str
      sample: default
    online:
      description: Whether a proxy is connected (any subscription with a connect time and no disconnect time).
      type: bool
      sample: true
    status:
      description:
        - V(offline) when no proxy is connected or none of its inbounds is ready, V(partially_degraded) when some
          inbound is not ready, V(online) otherwise.
      type: str
      sample: online
    connected_cp:
      description: The kuma-cp instance (C(controlPlaneInstanceId)) of the active subscription, or null.
      type: str
      sample: kuma-cp-1
    kuma_dp_version:
      description: The kuma-dp version of the active (or else the latest) subscription, or null.
      type: str
      sample: 2.14.3
    envoy_version:
      description: The Envoy version of the active (or else the latest) subscription, or null.
      type: str
      sample: 1.35.3
    inbounds:
      description: The inbounds of the Dataplane, each with C(ready), which is true without C(health) and C(health.ready) otherwise.
      type: list
      elements: dict
      sample:
        - port: 18080
          servicePort: 8080
          tags:
            kuma.io/service: web
          health:
            ready: true
          ready: true
    resource:
      description: The Dataplane resource (type, mesh, name, labels, networking, ...).
      type: dict
      sample:
        type: Dataplane
        mesh: default
        name: web-1
        networking:
          address: 192.0.2.10
"""

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_client import KumaError
from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_module import (
    client_from_module, fail_kuma, kuma_argument_spec, kuma_minor)


def _get(d, camel, snake):
    """Kuma answers with lowerCamelCase names; the JSON schemas use the proto names."""
    if not isinstance(d, dict):
        return None
    if camel in d:
        return d[camel]
    return d.get(snake)


def _version(subscription, which):
    version = _get(subscription, "version", "version") or {}
    part = _get(version, which, {"kumaDp": "kuma_dp"}.get(which, which)) or {}
    return part.get("version") or None


def is_active(subscription):
    return bool(_get(subscription, "connectTime", "connect_time")) and not _get(
        subscription, "disconnectTime", "disconnect_time")


def summarize(overview):
    """One entry of the dataplanes result from one DataplaneOverview item."""
    dataplane = _get(overview, "dataplane", "dataplane") or {}
    insight = _get(overview, "dataplaneInsight", "dataplane_insight") or {}
    subscriptions = [s for s in (insight.get("subscriptions") or []) if isinstance(s, dict)]
    active = [s for s in subscriptions if is_active(s)]
    current = active[-1] if active else (subscriptions[-1] if subscriptions else None)

    resource = {"type": "Dataplane", "mesh": overview.get("mesh"), "name": overview.get("name")}
    for key in ("creationTime", "modificationTime", "labels"):
        if key in overview:
            resource[key] = copy.deepcopy(overview[key])
    for key, value in dataplane.items():
        resource[key] = copy.deepcopy(value)

    networking = resource.get("networking") or {}
    inbounds = []
    for inbound in networking.get("inbound") or []:
        item = copy.deepcopy(inbound) if isinstance(inbound, dict) else {}
        health = item.get("health")
        # No health: ready.  health {} is ready=false (protojson leaves false out).
        item["ready"] = bool(health.get("ready", False)) if isinstance(health, dict) else True
        inbounds.append(item)

    online = bool(active)
    if not online:
        status = "offline"
    elif inbounds and not any(i["ready"] for i in inbounds):
        status = "offline"
    elif any(not i["ready"] for i in inbounds):
        status = "partially_degraded"
    else:
        status = "online"
    return dict(
        name=overview.get("name"),
        mesh=overview.get("mesh"),
        online=online,
        status=status,
        connected_cp=_get(active[-1], "controlPlaneInstanceId", "control_plane_instance_id") if active else None,
        kuma_dp_version=_version(current, "kumaDp") if current else None,
        envoy_version=_version(current, "envoy") if current else None,
        inbounds=inbounds,
        resource=resource,
    )


def main():
    module = AnsibleModule(
        argument_spec=kuma_argument_spec(
            mesh=dict(type="str"),
            name=dict(type="str"),
            tags=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    kuma_minor(module)
    client = client_from_module(module)
    try:
        overviews = client.dataplane_overviews(mesh=p["mesh"], name=p["name"], tags=p["tags"])
    except KumaError as e:
        fail_kuma(module, e, dataplanes=[])
    dataplanes = [summarize(o) for o in overviews if isinstance(o, dict)]
    if p["name"]:
        dataplanes = [d for d in dataplanes if d["name"] == p["name"]]
    dataplanes.sort(key=lambda d: (d["mesh"] or "", d["name"] or ""))
    module.exit_json(changed=False, dataplanes=dataplanes)


if __name__ == "__main__":
    main()
