# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""The real Pulumi CLI and Python language host drive a Python dynamic provider."""

import json
import textwrap

from conftest import run

PROGRAM = textwrap.dedent('''
    import os
    import pulumi
    from pulumi.dynamic import CreateResult, Resource, ResourceProvider

    class FileProvider(ResourceProvider):
        def create(self, props):
            with open(props["path"], "w") as f:
                f.write(props["content"])
            return CreateResult(id_=props["path"], outs=props)

        def delete(self, id, props):
            os.remove(id)

    class File(Resource):
        def __init__(self, name, path, content, opts=None):
            super().__init__(FileProvider(), name, {"path": path, "content": content}, opts)

    f = File("marker", path=pulumi.Config().require("path"), content="written by pulumi up")
    pulumi.export("path", f.id)
''')


def test_pulumi_up_and_destroy_with_a_python_dynamic_provider(tmp_path, pulumi_env):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "Pulumi.yaml").write_text("name: engine-check\nruntime: python\n")
    (proj / "__main__.py").write_text(PROGRAM)
    marker = tmp_path / "marker.txt"
    kw = dict(cwd=proj, env=pulumi_env)
    version = run(["pulumi", "version"], **kw).stdout.strip()
    assert version.startswith("v3."), version
    run(["pulumi", "stack", "init", "dev"], **kw)
    run(["pulumi", "config", "set", "path", str(marker)], **kw)
    up = run(["pulumi", "up", "--yes", "--skip-preview", "--non-interactive"], **kw)
    assert marker.read_text() == "written by pulumi up", up.stdout
    outputs = json.loads(run(["pulumi", "stack", "output", "--json"], **kw).stdout)
    assert outputs == {"path": str(marker)}
    preview = run(["pulumi", "preview", "--non-interactive", "--expect-no-changes"], **kw)
    assert "2 unchanged" in preview.stdout, preview.stdout
    run(["pulumi", "destroy", "--yes", "--skip-preview", "--non-interactive"], **kw)
    assert not marker.exists()
    state = json.loads(run(["pulumi", "stack", "export"], **kw).stdout)
    assert [r for r in state["deployment"].get("resources") or [] if r["type"] != "pulumi:pulumi:Stack"] == []
