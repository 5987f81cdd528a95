# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Connection to kuma-cp's HTTP API, and the Kuma version whose rules apply.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - URL of kuma-cp's HTTP API, for example V(http://127.0.0.1:5681) or V(https://kuma-cp.example.com:5682).
      - If not set, the value of the E(KUMA_CP_URL) environment variable is used.
    type: str
  token:
    description:
      - "Admin user token (a JWT) sent as C(Authorization: Bearer)."
      - If not set, the value of the E(KUMA_TOKEN) environment variable is used.
      - Without a token, kuma-cp only grants what it grants anonymous users (by default everything on
        loopback, because of C(localhostIsAdmin)).
    type: str
  ca_cert:
    description:
      - CA certificate (PEM) to verify kuma-cp's HTTPS certificate with, instead of the system's CA store.
      - If not set, the value of the E(KUMA_CA_CERT) environment variable is used.
    type: path
  validate_certs:
    description:
      - Whether to verify kuma-cp's HTTPS certificate.
      - If not set, the value of the E(KUMA_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  client_cert:
    description:
      - Client certificate (PEM) to present to kuma-cp.
    type: path
  client_key:
    description:
      - Private key (PEM) of O(client_cert), when it is not in the same file.
    type: path
  timeout:
    description:
      - Seconds to wait for each answer of kuma-cp.
    type: int
    default: 10
  retries:
    description:
      - How many times a request is retried (with exponential backoff) on connection errors,
        HTTP 429 and 5xx answers. Other 4xx answers are never retried.
    type: int
    default: 4
  kuma_version:
    description:
      - Version of Kuma (or Kong Mesh) that kuma-cp and kuma-dp run, for example V(2.14.3) or V(2.13.10).
      - Selects the Dataplane validation rules of that minor release. Supported minors are 2.13 and 2.14.
      - If not set, the value of the E(KUMA_VERSION) environment variable is used.
    type: str
    default: "2.14.3"
notes:
  - The connection options can be set once for every kumaops.mesh module with
    C(module_defaults) and the action group C(group/kumaops.mesh.kuma).
"""
