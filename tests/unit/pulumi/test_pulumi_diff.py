# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""diff(), create/read/update/delete of the Dataplane and Mesh providers.

The kuma-cp client is stubbed at its method level (KumaClient.get_dataplane,
put_dataplane, ...); the HTTP client itself is tested in
tests/unit/plugins/module_utils/test_kuma_client.py.
"""

import copy

import pytest

from kumaops_pulumi_helpers import no_kuma_cp

from pulumi_kumaops import DataplaneProvider, MeshProvider, ProviderSettings
from pulumi_kumaops._core import kuma_client
from pulumi_kumaops.provider import UNKNOWN

DESIRED = {
    "name": "web-1",
    "mesh": "default",
    "networking": {"address": "10.0.0.11",
                   "inbound": [{"port": 8080, "servicePort": 80, "tags": {"kuma.io/service": "web"}}]},
    "labels": {"team": "payments"},
}

# What kuma-cp answers on GET for DESIRED (2.14): creation/modification times,
# kri, kuma.io/* labels and the kuma.io/zone inbound tag added.
FROM_KUMA = {
    "type": "Dataplane",
    "mesh": "default",
    "name": "web-1",
    "creationTime": "2026-11-22T01:00:00Z",
    "modificationTime": "2026-11-22T01:00:00Z",
    "kri": "kri_dp_default_zone-1__web-1_",
    "labels": {"team": "payments", "kuma.io/mesh": "default", "kuma.io/origin": "zone",
               "kuma.io/proxy-type": "sidecar", "kuma.io/zone": "zone-1"},
    "networking": {"address": "10.0.0.11",
                   "inbound": [{"port": 8080, "servicePort": 80,
                                "tags": {"kuma.io/service": "web", "kuma.io/zone": "zone-1"}}]},
}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for var in ("KUMA_CP_URL", "KUMA_TOKEN", "KUMA_CA_CERT", "KUMA_VERSION", "KUMA_VALIDATE_CERTS"):
        monkeypatch.delenv(var, raising=False)
    no_kuma_cp(monkeypatch)


@pytest.fixture
def kuma(monkeypatch):
    """A dict store behind the KumaClient resource methods; records calls and the client settings."""
    store = {"dataplanes": {}, "meshes": {}, "calls": [], "clients": []}
    real_init = kuma_client.KumaClient.__init__

    def init(self, url, token=None, **kw):
        store["clients"].append({"url": url, "token": token})
        real_init(self, url, token=token, **kw)

    def get_dp(self, mesh, name):
        store["calls"].append(("GET", mesh, name))
        return copy.deepcopy(store["dataplanes"].get((mesh, name)))

    def put_dp(self, resource):
        store["calls"].append(("PUT", resource["mesh"], resource["name"]))
        created = (resource["mesh"], resource["name"]) not in store["dataplanes"]
        store["dataplanes"][(resource["mesh"], resource["name"])] = copy.deepcopy(resource)
        return created, []

    def delete_dp(self, mesh, name):
        store["calls"].append(("DELETE", mesh, name))
        return store["dataplanes"].pop((mesh, name), None) is not None

    def get_mesh(self, name):
        store["calls"].append(("GET mesh", name))
        return copy.deepcopy(store["meshes"].get(name))

    def put_mesh(self, resource):
        store["calls"].append(("PUT mesh", resource["name"]))
        store["meshes"][resource["name"]] = copy.deepcopy(resource)
        return True, []

    for name, fn in (("__init__", init), ("get_dataplane", get_dp), ("put_dataplane", put_dp),
                     ("delete_dataplane", delete_dp), ("get_mesh", get_mesh), ("put_mesh", put_mesh)):
        monkeypatch.setattr(kuma_client.KumaClient, name, fn)
    return store


def _provider():
    return DataplaneProvider(ProviderSettings(url="http://kuma-cp:5681", token="captured-admin-token"))


# ------------------------------------------------------------------ diff


def test_diff_ignores_what_kuma_cp_adds():
    olds = dict((k, FROM_KUMA[k]) for k in DataplaneProvider.KEYS)  # as `pulumi refresh` would store raw
    result = _provider().diff("default/web-1", dict(olds, __provider="old"), dict(DESIRED, __provider="new"))
    assert result.changes is False
    assert result.replaces == []


def test_diff_sees_a_networking_change_as_an_update():
    news = copy.deepcopy(DESIRED)
    news["networking"]["inbound"][0]["servicePort"] = 81
    result = _provider().diff("default/web-1", DESIRED, news)
    assert result.changes is True
    assert result.replaces == []


def test_diff_sees_a_labels_change_but_not_kuma_labels():
    news = dict(DESIRED, labels={"team": "payments", "kuma.io/env": "universal"})
    assert _provider().diff("default/web-1", DESIRED, news).changes is False
    news = dict(DESIRED, labels={"team": "search"})
    assert _provider().diff("default/web-1", DESIRED, news).changes is True


@pytest.mark.parametrize("key, value", [("name", "web-2"), ("mesh", "other")])
def test_diff_replaces_on_name_or_mesh_change(key, value):
    result = _provider().diff("default/web-1", DESIRED, dict(DESIRED, **{key: value}))
    assert result.changes is True
    assert result.replaces == [key]


def test_diff_with_unknown_values_at_preview():
    result = _provider().diff("default/web-1", DESIRED, dict(DESIRED, mesh=UNKNOWN))
    assert result.changes is True and result.replaces == ["mesh"]
    result = _provider().diff("default/web-1", DESIRED, dict(DESIRED, networking={"address": UNKNOWN}))
    assert result.changes is True and result.replaces == []


def test_mesh_diff():
    olds = {"name": "demo", "spec": {"mtls": {"enabledBackend": "ca-1"}}, "labels": None}
    assert MeshProvider().diff("demo", olds, dict(olds, labels={"kuma.io/origin": "zone"})).changes is False
    result = MeshProvider().diff("demo", olds, dict(olds, spec={}))
    assert (result.changes, result.replaces) == (True, [])
    result = MeshProvider().diff("demo", olds, dict(olds, name="demo-2"))
    assert (result.changes, result.replaces) == (True, ["name"])


# ------------------------------------------------------------------ lifecycle


def test_create_puts_the_dataplane_with_the_captured_settings(kuma):
    result = _provider().create(dict(DESIRED, __provider="pickled"))
    assert result.id == "default/web-1"
    assert result.outs == DESIRED
    assert kuma["calls"] == [("GET", "default", "web-1"), ("PUT", "default", "web-1")]
    assert kuma["dataplanes"][("default", "web-1")] == {"type": "Dataplane", **{k: DESIRED[k] for k in
                                                                                ("mesh", "name", "labels",
                                                                                 "networking")}}
    assert kuma["clients"] == [{"url": "http://kuma-cp:5681", "token": "captured-admin-token"}]


def test_create_adopts_an_identical_dataplane_and_refuses_another(kuma):
    kuma["dataplanes"][("default", "web-1")] = copy.deepcopy(FROM_KUMA)
    _provider().create(DESIRED)
    assert ("PUT", "default", "web-1") not in kuma["calls"]
    other = copy.deepcopy(FROM_KUMA)
    other["networking"]["address"] = "10.0.0.99"
    kuma["dataplanes"][("default", "web-1")] = other
    with pytest.raises(kuma_client.KumaError, match="already exists in mesh 'default' with another spec"):
        _provider().create(DESIRED)


def test_create_validates_again_before_any_call(kuma):
    bad = dict(DESIRED, networking={"address": "", "inbound": []})
    with pytest.raises(ValueError, match="networking.address: address can't be empty"):
        _provider().create(bad)
    assert kuma["calls"] == []


def test_read_normalizes_and_reports_a_gone_dataplane(kuma):
    kuma["dataplanes"][("default", "web-1")] = copy.deepcopy(FROM_KUMA)
    result = _provider().read("default/web-1", dict(DESIRED, __provider="pickled"))
    assert result.id == "default/web-1"
    assert result.outs == DESIRED
    del kuma["dataplanes"][("default", "web-1")]
    result = _provider().read("default/web-1", DESIRED)
    assert result.id is None and result.outs == {}


def test_update_and_delete(kuma):
    news = copy.deepcopy(DESIRED)
    news["networking"]["inbound"][0]["servicePort"] = 81
    assert _provider().update("default/web-1", DESIRED, news).outs == news
    assert kuma["dataplanes"][("default", "web-1")]["networking"]["inbound"][0]["servicePort"] == 81
    _provider().delete("default/web-1", news)
    assert ("default", "web-1") not in kuma["dataplanes"]


def test_delete_and_read_prefer_the_env_of_the_provider_process(kuma, monkeypatch):
    """pulumi destroy/refresh do not run the program: the captured admin token may be stale."""
    monkeypatch.setenv("KUMA_TOKEN", "rotated-admin-token")
    _provider().delete("default/web-1", DESIRED)
    _provider().read("default/web-1", DESIRED)
    _provider().create(DESIRED)  # the program ran: its settings win
    assert [c["token"] for c in kuma["clients"]] == ["rotated-admin-token", "rotated-admin-token",
                                                     "captured-admin-token"]


def test_settings_fill_in_from_the_provider_process_env(kuma, monkeypatch):
    monkeypatch.setenv("KUMA_CP_URL", "http://from-env:5681")
    monkeypatch.setenv("KUMA_TOKEN", "env-token")
    DataplaneProvider(ProviderSettings()).create(DESIRED)
    assert kuma["clients"] == [{"url": "http://from-env:5681", "token": "env-token"}]


def test_without_a_url_create_fails_clearly(kuma):
    with pytest.raises(kuma_client.KumaError, match="no kuma-cp API URL given"):
        DataplaneProvider(ProviderSettings()).create(DESIRED)


def test_mesh_lifecycle(kuma):
    provider = MeshProvider(ProviderSettings(url="http://kuma-cp:5681"))
    result = provider.create({"name": "demo", "spec": {"mtls": {"enabledBackend": "ca-1"}}, "labels": {"a": "b"}})
    assert result.id == "demo"
    assert kuma["meshes"]["demo"] == {"type": "Mesh", "name": "demo", "labels": {"a": "b"},
                                      "mtls": {"enabledBackend": "ca-1"}}
    kuma["meshes"]["demo"].update(creationTime="2026-11-22T01:00:00Z", labels={"a": "b", "kuma.io/origin": "zone"})
    read = provider.read("demo", result.outs)
    assert read.outs == {"name": "demo", "spec": {"mtls": {"enabledBackend": "ca-1"}}, "labels": {"a": "b"}}
