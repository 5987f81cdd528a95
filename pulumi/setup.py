# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Build hooks of pulumi_kumaops: bring in the shared core without a second copy in git.

The Dataplane validator, the kuma-cp client and the token helpers live once,
in ``plugins/module_utils/`` of the repository.  ``build_py`` copies them into
the built package as ``pulumi_kumaops/_core/{dataplane,kuma_client,tokens}.py``
(wheels, ``pip install ./pulumi``); ``sdist`` puts the same copies into the
source archive so that building from it needs no repository around.
Everything else is declared in pyproject.toml.
"""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))
CORE_SRC = os.path.normpath(os.path.join(HERE, os.pardir, "plugins", "module_utils"))
CORE_MODULES = ("dataplane", "kuma_client", "tokens")
CORE_PKG_DIR = os.path.join("pulumi_kumaops", "_core")


def _core_sources():
    """Where the shared core is: the repository, or (building from an sdist) the package itself."""
    for base in (CORE_SRC, os.path.join(HERE, CORE_PKG_DIR)):
        paths = [os.path.join(base, m + ".py") for m in CORE_MODULES]
        if all(os.path.isfile(p) for p in paths):
            return paths
    raise SystemExit("pulumi_kumaops: the shared core is missing: expected %s/{%s}.py"
                     % (CORE_SRC, ",".join(CORE_MODULES)))


def _copy_core(dest_dir):
    os.makedirs(dest_dir, exist_ok=True)
    for src in _core_sources():
        dest = os.path.join(dest_dir, os.path.basename(src))
        if os.path.abspath(src) != os.path.abspath(dest):
            shutil.copyfile(src, dest)


class BuildPyWithCore(build_py):
    def run(self):
        super().run()
        _copy_core(os.path.join(self.build_lib, CORE_PKG_DIR))


class SdistWithCore(sdist):
    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        _copy_core(os.path.join(base_dir, CORE_PKG_DIR))


setup(cmdclass={"build_py": BuildPyWithCore, "sdist": SdistWithCore})
