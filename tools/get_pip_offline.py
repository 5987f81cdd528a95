# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Stands in for pip's get-pip.py bootstrap script in ansible-test's venvs.

ansible-test bootstraps pip in each sanity venv by downloading get-pip.py from
a host outside the package registries. tools/test.sh installs this file in
its place (~/.ansible/test/cache/get_pip_<version>.py): it bootstraps pip
with the interpreter's own ensurepip, then installs the requested packages
(pip==X among them) from the package index as usual.
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
