# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""The resource classes under Pulumi's mocks: inputs, secrets, settings from config/env."""

import base64

import dill
import pulumi
import pytest
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from kumaops_pulumi_helpers import jwt

from pulumi_kumaops import (Dataplane, DataplaneArgs, DataplaneProvider, DataplaneToken, DataplaneTokenArgs,
                            DataplaneTokenProvider, Mesh, MeshProvider, ProviderSettings)

SECRET_SIG = rpc._special_secret_sig  # pylint: disable=protected-access
SIG_KEY = rpc._special_sig_key  # pylint: disable=protected-access
TOKEN_CLAIMS = {"Name": "web-1", "Mesh": "default", "Tags": {"kuma.io/service": ["web"]}, "jti": "jti-1",
                "iat": 1000, "exp": 2000}
NETWORKING = {"address": "10.0.0.11",
              "inbound": [{"port": 8080, "servicePort": 80, "tags": {"kuma.io/service": "web"}}]}


class KumaMocks(pulumi_mocks.Mocks):
    """The engine's part: outputs = inputs (+ a token for DataplaneToken)."""

    def new_resource(self, args):
        outs = dict((k, v) for k, v in args.inputs.items() if k != "__provider")
        if args.typ.endswith(":DataplaneToken"):
            outs.update(token=jwt(TOKEN_CLAIMS), claims=TOKEN_CLAIMS, expiresAt=TOKEN_CLAIMS["exp"])
        return "%s-id" % args.name, outs

    def call(self, args):
        return {}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Keeps every RegisterResource request, to look at what the program sends the engine."""

    def __init__(self, mocks):
        super().__init__(mocks)
        self.requests = []

    def RegisterResource(self, request):
        self.requests.append(request)
        return super().RegisterResource(request)


@pytest.fixture
def monitor(monkeypatch):
    for var in ("KUMA_CP_URL", "KUMA_TOKEN", "KUMA_CA_CERT", "KUMA_VERSION", "KUMA_VALIDATE_CERTS"):
        monkeypatch.delenv(var, raising=False)
    mon = RecordingMonitor(KumaMocks())
    pulumi.runtime.set_mocks(KumaMocks(), preview=False, monitor=mon)
    yield mon
    pulumi.runtime.set_all_config({}, [])


def _request(monitor, type_suffix):
    (req,) = [r for r in monitor.requests if r.type.endswith(type_suffix)]
    return req


def _is_secret(struct_value):
    fields = struct_value.struct_value.fields
    return SIG_KEY in fields and fields[SIG_KEY].string_value == SECRET_SIG


def _provider_of(req):
    value = req.object.fields["__provider"].struct_value.fields["value"].string_value
    return dill.loads(base64.b64decode(value))


@pulumi.runtime.test
def test_token_output_is_secret(monitor):
    tok = DataplaneToken("web-1", DataplaneTokenArgs(tags={"kuma.io/service": "web"}, valid_for="720h",
                                                     renew_before="168h"))

    async def check():
        assert await tok.token.is_secret() is True
        assert await tok.token.future() == jwt(TOKEN_CLAIMS)
        assert await tok.claims.is_secret() is False
        assert await tok.expires_at.future() == 2000
        req = _request(monitor, ":DataplaneToken")
        assert list(req.additionalSecretOutputs) == ["token"]  # the engine encrypts it in the state
        assert req.type == "pulumi-python:dynamic/kumaops:DataplaneToken"

    return pulumi.Output.from_input(check())


@pulumi.runtime.test
def test_admin_token_from_config_travels_only_inside_the_secret_provider_property(monitor):
    pulumi.runtime.set_all_config({"kumaops:url": "https://kuma-cp:5682", "kumaops:token": "admin-from-config",
                                   "kumaops:caCert": "/etc/kuma/ca.pem", "kumaops:validateCerts": "true",
                                   "kumaops:kumaVersion": "2.13.10"}, ["kumaops:token"])
    registered = [Mesh("demo").urn, Dataplane("web-1", mesh="demo", networking=NETWORKING).urn,
                  DataplaneToken("web-1", mesh="demo").urn]

    def check(_):
        for suffix, cls in ((":Mesh", MeshProvider), (":Dataplane", DataplaneProvider),
                            (":DataplaneToken", DataplaneTokenProvider)):
            req = _request(monitor, suffix)
            assert _is_secret(req.object.fields["__provider"]), suffix
            provider = _provider_of(req)
            assert type(provider) is cls
            assert provider.settings == ProviderSettings(url="https://kuma-cp:5682", token="admin-from-config",
                                                         ca_cert="/etc/kuma/ca.pem", validate_certs=True,
                                                         kuma_version="2.13.10")
            # nowhere else: no input carries it
            others = dict((k, v) for k, v in req.object.fields.items() if k != "__provider")
            assert "admin-from-config" not in str(others), suffix
            assert "token" not in others or suffix == ":DataplaneToken"
        assert "admin-from-config" not in repr(_provider_of(_request(monitor, ":Mesh")).settings)

    return pulumi.Output.all(*registered).apply(check)


@pulumi.runtime.test
def test_settings_fall_back_to_the_environment(monitor, monkeypatch):
    monkeypatch.setenv("KUMA_CP_URL", "http://env-cp:5681")
    monkeypatch.setenv("KUMA_TOKEN", "admin-from-env")
    monkeypatch.setenv("KUMA_VALIDATE_CERTS", "false")
    pulumi.runtime.set_all_config({"kumaops:url": "http://config-cp:5681"}, [])
    mesh = Mesh("demo")

    def check(_):
        settings = _provider_of(_request(monitor, ":Mesh")).settings
        assert settings == ProviderSettings(url="http://config-cp:5681", token="admin-from-env",
                                            validate_certs=False)

    return mesh.urn.apply(check)


@pulumi.runtime.test
def test_dataplane_inputs_and_defaults(monitor):
    dp = Dataplane("web-1", DataplaneArgs(networking=NETWORKING, labels={"team": "payments"}))
    mesh = Mesh("demo", spec={"mtls": {"enabledBackend": "ca-1"}})

    def check(values):
        name, mesh_name, networking, labels, mesh_spec = values
        assert (name, mesh_name, labels) == ("web-1", "default", {"team": "payments"})
        assert networking == NETWORKING
        assert mesh_spec == {"mtls": {"enabledBackend": "ca-1"}}
        req = _request(monitor, ":Dataplane")
        assert req.type == "pulumi-python:dynamic/kumaops:Dataplane"
        assert sorted(req.object.fields) == ["__provider", "labels", "mesh", "name", "networking"]

    return pulumi.Output.all(dp.name, dp.mesh, dp.networking, dp.labels, mesh.spec).apply(check)


def test_args_or_keywords_not_both():
    with pytest.raises(TypeError, match="give either DataplaneArgs or keyword arguments, not both"):
        Dataplane("web-1", DataplaneArgs(networking={}), mesh="default", settings=ProviderSettings())
    with pytest.raises(TypeError, match="expected MeshArgs, got dict"):
        Mesh("demo", {"name": "demo"}, settings=ProviderSettings())


def test_settings_repr_hides_the_token():
    assert "s3cret" not in repr(ProviderSettings(url="http://cp:5681", token="s3cret"))
    with pytest.raises(ValueError, match="KUMA_VALIDATE_CERTS: expected true or false"):
        ProviderSettings.from_env({"KUMA_VALIDATE_CERTS": "maybe"})
