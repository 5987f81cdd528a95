# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Shared pytest fixtures: the lab of real systemd hosts, a real kuma-cp, Pulumi.

Run the suite through tools/test.sh (it installs and builds what the fixtures
need and puts it on PATH).
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

# Make this working tree importable as ansible_collections.kumaops.mesh, as
# ansible-test does for the installed collection.
_COLLECTIONS = Path(tempfile.mkdtemp(prefix="kumaops-collections-"))
(_COLLECTIONS / "ansible_collections" / "kumaops").mkdir(parents=True)
(_COLLECTIONS / "ansible_collections" / "kumaops" / "mesh").symlink_to(ROOT)
sys.path.insert(0, str(_COLLECTIONS))

import kumacp  # noqa: E402
import lab as labmod  # noqa: E402

KUMA_VERSIONS = os.environ.get("KUMA_VERSIONS", "2.14.3 2.13.10").split()


def pytest_configure(config):
    config.addinivalue_line("markers", "lab: needs root and the lab of systemd hosts")
    config.addinivalue_line("markers", "kuma: needs the real kuma-cp/kuma-dp/kumactl binaries")


def require(binary, hint):
    path = shutil.which(binary)
    if not path:
        pytest.fail("%s is not on PATH: %s" % (binary, hint), pytrace=False)
    return path


@pytest.fixture(scope="session")
def root_ok():
    if os.geteuid() != 0:
        pytest.fail("the lab tests need root (network namespaces, systemd-nspawn)", pytrace=False)


@pytest.fixture(params=KUMA_VERSIONS, ids=lambda v: "kuma-" + v)
def kuma_version(request):
    return request.param


@pytest.fixture
def kuma_bin(kuma_version):
    """Directory of the real kuma binaries of kuma_version.

    When they are not on this machine the test is reported as SKIPPED with the
    reason (never as passed): tools/build-kuma.sh says why they are missing.
    """
    try:
        return kuma_version and kumacp.kuma_bin_dir(kuma_version)
    except kumacp.KumaUnavailable as e:
        pytest.skip(str(e))


@pytest.fixture
def kuma_cp(root_ok, kuma_version, kuma_bin, worker_lab):
    """A real kuma-cp of kuma_version in the lab's `cp` namespace."""
    facts = kumacp.up(worker_lab, kuma_version)
    facts["admin_token"] = Path(facts["admin_token_file"]).read_text()
    yield facts


@pytest.fixture(scope="session")
def worker_lab(root_ok):
    """The name of this run's lab; torn down at the end of the session."""
    name = os.environ.get("KUMAOPS_TEST_LAB", "pytest")
    labmod.down(name)
    yield name
    labmod.down(name)


def run(cmd, check=True, **kw):
    proc = subprocess.run(cmd, text=True, capture_output=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError("%s -> %d\nstdout:\n%s\nstderr:\n%s" % (cmd, proc.returncode, proc.stdout[-3000:],
                                                                      proc.stderr[-3000:]))
    return proc


def ansible_env(**extra):
    """Environment for ansible commands: this working tree is kumaops.mesh."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(_COLLECTIONS), ANSIBLE_HOST_KEY_CHECKING="False",
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env.update(extra)
    return env


@pytest.fixture
def pulumi_env(tmp_path):
    """Environment for the real Pulumi CLI: a local file backend and passphrase secrets in tmp_path."""
    require("pulumi", "tools/build-pulumi.sh builds it; run the tests through tools/test.sh")
    require("pulumi-language-python", "tools/build-pulumi.sh builds it")
    backend = tmp_path / "backend"
    backend.mkdir()
    return dict(os.environ, PULUMI_HOME=str(tmp_path / "home"), PULUMI_CONFIG_PASSPHRASE="test-passphrase",
                PULUMI_SKIP_UPDATE_CHECK="true", PULUMI_BACKEND_URL="file://%s" % backend,
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true")
