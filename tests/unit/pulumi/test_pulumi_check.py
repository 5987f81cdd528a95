# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""check() of the pulumi_kumaops providers: the shared validator, every failure, no API call."""

import pytest

from kumaops_pulumi_helpers import no_kuma_cp

from pulumi_kumaops import DataplaneProvider, DataplaneTokenProvider, MeshProvider, ProviderSettings
from pulumi_kumaops._core import dataplane as core
from pulumi_kumaops.provider import UNKNOWN

BAD = {
    "name": "web-1",
    "mesh": "default",
    "networking": {
        "address": "",
        "inbound": [
            {"port": 0, "servicePort": 80, "tags": {"kuma.io/service": "web"}},
            {"port": 8081, "tags": {"version": "v1", "kuma.io/protocol": "smtp"}},
        ],
        "outbound": [{"port": 70000, "tags": {"kuma.io/service": "db"}}],
    },
}

EXPECTED = [
    ("networking.address", "address can't be empty"),
    ("networking.inbound[0].port", "port must be in the range [1, 65535]"),
    ('networking.inbound[1].tags["kuma.io/protocol"]',
     'tag "kuma.io/protocol" has an invalid value "smtp". Allowed values: grpc, http, http2, kafka, tcp'),
    ('networking.inbound[1].tags["kuma.io/service"]', "tag has to exist"),
    ("networking.outbound[0].port", "port must be in the range [1, 65535]"),
]


@pytest.fixture(autouse=True)
def _no_api(monkeypatch):
    for var in ("KUMA_CP_URL", "KUMA_TOKEN", "KUMA_CA_CERT", "KUMA_VERSION", "KUMA_VALIDATE_CERTS"):
        monkeypatch.delenv(var, raising=False)
    no_kuma_cp(monkeypatch)


def _failures(result):
    return [(f.property, f.reason) for f in result.failures]


def test_check_returns_every_failure_with_its_property_path():
    provider = DataplaneProvider(ProviderSettings(url="http://127.0.0.1:9", token="admin"))
    result = provider.check({}, dict(BAD, __provider="pickled"))
    assert sorted(_failures(result)) == sorted(EXPECTED)


def test_check_reports_exactly_what_the_shared_validator_reports():
    provider = DataplaneProvider(ProviderSettings())
    resource = core.build_resource(BAD["name"], BAD["mesh"], BAD["networking"])
    expected = [(v.field, v.message) for v in core.validate_dataplane(resource, "2.14.3")]
    assert _failures(provider.check({}, BAD)) == expected


def test_check_returns_the_inputs_without_the_provider_and_defaults_the_mesh():
    good = {"name": "web-1", "networking": {"address": "10.0.0.1", "inbound": [
        {"port": 8080, "servicePort": 80, "tags": {"kuma.io/service": "web"}}]}, "__provider": "pickled"}
    result = DataplaneProvider().check({}, good)
    assert result.failures == []
    assert result.inputs == {"name": "web-1", "mesh": "default", "networking": good["networking"]}


@pytest.mark.parametrize("version, expected", [
    ("2.14.3", []),
    ("2.13.10", [('networking.inbound[0].tags["kuma.io/service"]', "tag has to exist")]),
])
def test_check_follows_the_configured_kuma_version(version, expected):
    untagged = {"name": "web-1", "mesh": "default",
                "networking": {"address": "10.0.0.1", "inbound": [{"port": 8080, "servicePort": 80}]}}
    provider = DataplaneProvider(ProviderSettings(kuma_version=version))
    assert _failures(provider.check({}, untagged)) == expected


def test_check_takes_kuma_version_from_the_provider_process_env_when_not_captured(monkeypatch):
    monkeypatch.setenv("KUMA_VERSION", "2.13.10")
    untagged = {"name": "web-1", "networking": {"address": "10.0.0.1", "inbound": [{"port": 8080}]}}
    assert _failures(DataplaneProvider().check({}, untagged)) == [
        ('networking.inbound[0].tags["kuma.io/service"]', "tag has to exist")]


def test_check_does_not_judge_values_unknown_at_preview():
    news = {"name": "web-1", "mesh": UNKNOWN, "networking": {
        "address": "", "inbound": [{"port": UNKNOWN, "servicePort": 80, "tags": {"kuma.io/service": UNKNOWN}}]}}
    assert _failures(DataplaneProvider().check({}, news)) == [("networking.address", "address can't be empty")]


def test_check_of_a_wholly_unknown_networking_passes():
    assert DataplaneProvider().check({}, {"name": "web-1", "networking": UNKNOWN}).failures == []


def test_check_with_an_unsupported_kuma_version_fails_clearly():
    result = DataplaneProvider(ProviderSettings(kuma_version="2.9.0")).check({}, BAD)
    assert _failures(result) == [("", "kumaops: unsupported Kuma version '2.9.0': supported minors are 2.13, 2.14")]


def test_mesh_check():
    result = MeshProvider().check({}, {"name": "", "spec": {"mtls": {}, "type": "Mesh"}, "labels": ["x"]})
    assert _failures(result) == [
        ("name", "the Mesh name must be a non-empty string, got ''"),
        ("spec.type", "is not a Mesh spec field: set it as the resource's own input or leave it to kuma-cp"),
        ("labels", "must be a map of strings"),
    ]
    assert MeshProvider().check({}, {"name": "demo", "spec": {"mtls": {"enabledBackend": "ca-1"}}}).failures == []


def test_dataplane_token_check():
    result = DataplaneTokenProvider().check({}, {"name": "web-1", "validFor": "30d", "renewBefore": "1h",
                                                 "tags": "kuma.io/service=web"})
    assert _failures(result) == [
        ("validFor", "invalid duration '30d': use units h, m, s, ms (for example 720h)"),
        ("tags", "must be a map of tag -> value or list of values"),
    ]
    assert result.inputs["mesh"] == "default"
