# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""The shared core of kumaops: ``dataplane``, ``kuma_client`` and ``tokens``.

These modules live once in git, in ``plugins/module_utils/`` of the
``kumaops.mesh`` collection.  They are never copied in the source tree:

* in a built wheel / installed package, ``setup.py``'s ``build_py`` step has
  copied them next to this file (``pulumi_kumaops/_core/dataplane.py``, ...);
* when ``pulumi_kumaops`` is imported from the source tree (``pulumi/`` on
  ``PYTHONPATH``), this package's ``__path__`` is extended with
  ``../plugins/module_utils`` so that ``pulumi_kumaops._core.dataplane``
  resolves to the collection's file itself.

Use it as ``from pulumi_kumaops._core import dataplane, kuma_client, tokens``.
"""

import os

CORE_MODULES = ("dataplane", "kuma_client", "tokens")

_HERE = os.path.dirname(os.path.abspath(__file__))
# pulumi/pulumi_kumaops/_core -> <repo>/plugins/module_utils
_SOURCE_TREE_CORE = os.path.normpath(os.path.join(_HERE, os.pardir, os.pardir, os.pardir, "plugins", "module_utils"))

if os.path.isfile(os.path.join(_HERE, "dataplane.py")):
    SOURCE = _HERE  # built package: the copies made by setup.py's build_py
elif os.path.isfile(os.path.join(_SOURCE_TREE_CORE, "dataplane.py")):
    SOURCE = _SOURCE_TREE_CORE  # source tree: the collection's own files
    __path__.append(_SOURCE_TREE_CORE)  # noqa: F821 - __path__ is set for packages
else:  # pragma: no cover - a broken install
    raise ImportError("pulumi_kumaops: the shared core (dataplane.py, kuma_client.py, tokens.py) is neither built "
                      "into %s nor found in %s; build the package with `pip install ./pulumi` from the repository"
                      % (_HERE, _SOURCE_TREE_CORE))

from . import dataplane, kuma_client, tokens  # noqa: E402

__all__ = ["CORE_MODULES", "SOURCE", "dataplane", "kuma_client", "tokens"]
