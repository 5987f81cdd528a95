# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""pulumi_kumaops: Pulumi resources for Kuma meshes, Dataplanes and dataplane tokens.

Resources (Python dynamic providers, see :mod:`pulumi_kumaops.resources`):

* :class:`Mesh` -- a Mesh in kuma-cp;
* :class:`Dataplane` -- a Dataplane registered in kuma-cp (Indirect lifecycle),
  validated at ``pulumi preview`` like kuma-cp validates it;
* :class:`DataplaneToken` -- a dataplane token (secret), renewed in its window.

Connection settings (``kumaops:url``, ``kumaops:token``, ``kumaops:caCert``,
``kumaops:validateCerts``, ``kumaops:kumaVersion`` or ``KUMA_CP_URL``,
``KUMA_TOKEN``, ``KUMA_CA_CERT``, ``KUMA_VALIDATE_CERTS``, ``KUMA_VERSION``):
see :mod:`pulumi_kumaops.config`.

The Kuma logic is the collection's shared core (``plugins/module_utils``),
reached as :mod:`pulumi_kumaops._core`.
"""

from ._core import dataplane as core_dataplane  # noqa: F401  (fails early if the core is missing)
from .config import ProviderSettings
from .provider import DataplaneProvider, DataplaneTokenProvider, MeshProvider
from .resources import Dataplane, DataplaneArgs, DataplaneToken, DataplaneTokenArgs, Mesh, MeshArgs

__version__ = "0.1.0"

__all__ = [
    "Dataplane", "DataplaneArgs", "DataplaneProvider",
    "DataplaneToken", "DataplaneTokenArgs", "DataplaneTokenProvider",
    "Mesh", "MeshArgs", "MeshProvider",
    "ProviderSettings",
]
