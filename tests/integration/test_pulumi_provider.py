# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""pulumi_kumaops with the real Pulumi CLI (v3.79) and Python language host, and its packaging.

No kuma-cp runs here: KUMA_CP_URL points at a loopback port nothing listens
on, so any API call would fail with "is unreachable".  What is checked for
real is what needs no kuma-cp: ``pulumi preview`` runs the providers' ``check``
and plans creates without calling ``create``.
"""

import json
import os
import shutil
import socket
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, run

PULUMI_SRC = ROOT / "pulumi"
CORE_SRC = ROOT / "plugins" / "module_utils"
CORE_FILES = ("dataplane.py", "kuma_client.py", "tokens.py")

BAD_PROGRAM = textwrap.dedent('''
    import pulumi
    from pulumi_kumaops import Dataplane

    Dataplane("web-1", mesh="default", networking={
        "address": "",
        "inbound": [{"port": 0, "servicePort": 80, "tags": {"kuma.io/service": "web"}}],
    })
''')

GOOD_PROGRAM = textwrap.dedent('''
    import pulumi
    import pulumi_kumaops
    from pulumi_kumaops import Dataplane, DataplaneArgs, Mesh

    mesh = Mesh("demo", name="demo")
    web = Dataplane("web-1", DataplaneArgs(mesh=mesh.name, networking={
        "address": "10.0.0.11",
        "inbound": [{"port": 8080, "servicePort": 80, "tags": {"kuma.io/service": "web"}}],
    }))
    pulumi.export("core", pulumi_kumaops._core.SOURCE)
''')

# Valid for Kuma 2.14 (kumahq/kuma#15458: an inbound without tags), not for 2.13.
UNTAGGED_PROGRAM = textwrap.dedent('''
    from pulumi_kumaops import Dataplane

    Dataplane("web-1", networking={"address": "10.0.0.11", "inbound": [{"port": 8080, "servicePort": 80}]})
''')


def _unused_loopback_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def provider_env(pulumi_env):
    """pulumi_env, with kuma-cp settings that would show any API call as unreachable."""
    env = dict(pulumi_env, KUMA_CP_URL="http://127.0.0.1:%d" % _unused_loopback_port(), KUMA_TOKEN="admin-token-from-env")
    for var in ("KUMA_CA_CERT", "KUMA_VERSION", "KUMA_VALIDATE_CERTS"):
        env.pop(var, None)
    # The program and the dynamic-provider process import pulumi_kumaops from the source tree.
    env["PYTHONPATH"] = os.pathsep.join([str(PULUMI_SRC)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    return env


def _project(tmp_path, program, name="kumaops-provider"):
    proj = tmp_path / "proj"
    proj.mkdir(exist_ok=True)
    (proj / "Pulumi.yaml").write_text("name: %s\nruntime: python\n" % name)
    (proj / "__main__.py").write_text(program)
    return proj


def _stack(proj, env):
    run(["pulumi", "stack", "init", "dev"], cwd=proj, env=env)


def _preview(proj, env, *extra):
    return run(["pulumi", "preview", "--non-interactive", "--diff"] + list(extra), cwd=proj, env=env, check=False)


def _assert_no_kuma_call(proc):
    out = proc.stdout + proc.stderr
    assert "unreachable" not in out and "Connection refused" not in out, out


def test_preview_fails_on_a_bad_dataplane_with_every_field_path(tmp_path, provider_env):
    proj = _project(tmp_path, BAD_PROGRAM)
    _stack(proj, provider_env)
    proc = _preview(proj, provider_env)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    # every violation, each with its field path, from the provider's check
    assert "property networking.address value {<nil>} has a problem: address can't be empty" in out, out
    assert ("property networking.inbound[0].port value {<nil>} has a problem: port must be in the range "
            "[1, 65535]") in out, out
    assert out.count("has a problem") == 2, out  # exactly these two, each once
    _assert_no_kuma_call(proc)
    state = json.loads(run(["pulumi", "stack", "export"], cwd=proj, env=provider_env).stdout)
    assert not (state.get("deployment") or {}).get("resources"), state


def test_preview_of_a_valid_dataplane_and_mesh_plans_the_creates(tmp_path, provider_env):
    proj = _project(tmp_path, GOOD_PROGRAM)
    _stack(proj, provider_env)
    proc = _preview(proj, provider_env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "+ pulumi-python:dynamic/kumaops:Mesh: (create)" in out, out
    assert "+ pulumi-python:dynamic/kumaops:Dataplane: (create)" in out, out
    assert 'address: "10.0.0.11"' in out and 'kuma.io/service: "web"' in out, out
    assert "+ 3 to create" in out, out  # the stack, the Mesh and the Dataplane
    # the admin token is no input: nothing of it in the plan
    assert "admin-token-from-env" not in out and "__provider" not in out, out
    _assert_no_kuma_call(proc)
    # the program imported the shared core from the collection itself
    assert str(CORE_SRC) in out, out


@pytest.mark.parametrize("source", ["config", "env"])
def test_kuma_version_setting_reaches_the_provider_process(tmp_path, provider_env, source):
    """kumaops:kumaVersion (or KUMA_VERSION) selects the rules check applies in the provider process."""
    proj = _project(tmp_path, UNTAGGED_PROGRAM)
    _stack(proj, provider_env)
    env = dict(provider_env)
    ok = _preview(proj, env)  # default 2.14.3: an inbound without tags is valid
    assert ok.returncode == 0, ok.stdout + ok.stderr
    if source == "config":
        run(["pulumi", "config", "set", "kumaops:kumaVersion", "2.13.10"], cwd=proj, env=env)
    else:
        env["KUMA_VERSION"] = "2.13.10"
    bad = _preview(proj, env)
    out = bad.stdout + bad.stderr
    assert bad.returncode != 0, out
    assert 'property networking.inbound[0].tags["kuma.io/service"] value {<nil>} has a problem: tag has to exist' \
        in out, out
    _assert_no_kuma_call(bad)


def test_admin_token_config_is_a_secret_and_stays_out_of_the_plan(tmp_path, provider_env):
    proj = _project(tmp_path, GOOD_PROGRAM)
    _stack(proj, provider_env)
    run(["pulumi", "config", "set", "--secret", "kumaops:token", "admin-token-from-config"], cwd=proj, env=provider_env)
    assert "admin-token-from-config" not in (proj / "Pulumi.dev.yaml").read_text()
    proc = _preview(proj, provider_env, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "admin-token-from-config" not in proc.stdout + proc.stderr
    plan = json.loads(proc.stdout)
    steps = [s for s in plan["steps"] if "kumaops:" in s["urn"]]
    assert len(steps) == 2, plan
    for step in steps:
        inputs = step["newState"]["inputs"]
        assert "token" not in inputs, inputs
        # the pickled provider (with the captured settings) is a secret
        assert inputs.get("__provider") == "[secret]", inputs


# --------------------------------------------------------------------------
# packaging: the shared core is built into the package, never copied in git
# --------------------------------------------------------------------------

def _copy_layout(tmp_path):
    """pulumi/ and plugins/module_utils/ side by side, as in the repository (keeps the tree clean)."""
    src = tmp_path / "src"
    shutil.copytree(PULUMI_SRC, src / "pulumi", ignore=shutil.ignore_patterns("build", "dist", "*.egg-info",
                                                                              "__pycache__"))
    (src / "plugins").mkdir(parents=True)
    shutil.copytree(CORE_SRC, src / "plugins" / "module_utils", ignore=shutil.ignore_patterns("__pycache__"))
    return src


def test_git_holds_no_copy_of_the_core():
    for name in CORE_FILES:
        assert not (PULUMI_SRC / "pulumi_kumaops" / "_core" / name).exists(), name


# pip builds in an isolated environment, as `pip install ./pulumi` does for a
# user: it installs setuptools and wheel from the package index for the build.

def test_wheel_contains_the_core(tmp_path):
    src = _copy_layout(tmp_path)
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", str(src / "pulumi"), "-w", str(wheels)])
    (wheel,) = wheels.glob("pulumi_kumaops-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        for name in CORE_FILES:
            assert zf.read("pulumi_kumaops/_core/%s" % name) == (CORE_SRC / name).read_bytes(), name
    assert "pulumi_kumaops/_core/__init__.py" in names
    assert "pulumi_kumaops/resources.py" in names


@pytest.fixture
def installed_venv(tmp_path):
    """A venv with `pip install ./pulumi` done; the test venv's site-packages give it pulumi."""
    src = _copy_layout(tmp_path)
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    py = venv / "bin" / "python"
    site = run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    import pulumi  # the SDK of the test run (3.79)
    Path(site, "kumaops-test-sdk.pth").write_text(str(Path(pulumi.__file__).parents[1]) + "\n")
    run([str(py), "-m", "pip", "install", "--no-deps", str(src / "pulumi")], cwd=tmp_path)
    shutil.rmtree(src)  # the installed package must not need the source tree
    return venv, Path(site)


def test_pip_install_then_import(installed_venv):
    venv, site = installed_venv
    code = ("import pulumi_kumaops, pulumi_kumaops._core as c; "
            "print(c.SOURCE); print(c.dataplane.__file__); print(pulumi_kumaops.Dataplane.__module__)")
    lines = run([str(venv / "bin" / "python"), "-c", code], cwd=str(venv)).stdout.split()
    assert lines[0] == str(site / "pulumi_kumaops" / "_core"), lines
    assert lines[1] == str(site / "pulumi_kumaops" / "_core" / "dataplane.py"), lines
    assert lines[2] == "pulumi_kumaops.resources"
    for name in CORE_FILES:
        assert (site / "pulumi_kumaops" / "_core" / name).read_bytes() == (CORE_SRC / name).read_bytes()


def test_preview_with_the_installed_package(tmp_path, provider_env, installed_venv):
    """The real CLI, with the program and the provider process on the installed package only."""
    venv, site = installed_venv
    proj = _project(tmp_path, BAD_PROGRAM)
    (proj / "Pulumi.yaml").write_text("name: kumaops-installed\nruntime:\n  name: python\n  options:\n"
                                      "    virtualenv: %s\n" % venv)
    env = dict(provider_env)
    env.pop("PYTHONPATH")
    _stack(proj, env)
    proc = _preview(proj, env)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "property networking.inbound[0].port value {<nil>} has a problem" in out, out
    _assert_no_kuma_call(proc)
