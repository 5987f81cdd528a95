# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Provider settings: where kuma-cp is and how to talk to it.

Settings are never resource inputs.  They come from the Pulumi config
namespace ``kumaops`` or, for any key not set there, from environment
variables:

===================  =====================  ===========================================
config key           environment variable   meaning
===================  =====================  ===========================================
``kumaops:url``      ``KUMA_CP_URL``        kuma-cp API URL (``http://cp:5681``)
``kumaops:token``    ``KUMA_TOKEN``         admin user token (set it with ``--secret``)
``kumaops:caCert``   ``KUMA_CA_CERT``       CA certificate file for an ``https`` URL
``kumaops:validateCerts`` ``KUMA_VALIDATE_CERTS`` ``false`` to skip TLS verification
``kumaops:kumaVersion`` ``KUMA_VERSION``    Kuma version the Dataplane validator follows
===================  =====================  ===========================================

How the settings reach the provider, and why the admin token is safe
--------------------------------------------------------------------
A Python dynamic provider runs in a separate process
(``pulumi-resource-pulumi-python``) that gets neither the program's Pulumi
config nor the stack's secrets; what it gets is the provider *object*, which
the Pulumi SDK pickles into the reserved ``__provider`` property.  The 3.79
SDK always wraps that property in ``Output.secret`` (see
``pulumi.dynamic.Resource.__init__``), so it is encrypted with the stack's
secrets provider in the state and in checkpoint files, and shown as
``[secret]``.

The program therefore resolves :class:`ProviderSettings` (config first, then
environment) when a resource is declared and hands them to the provider
object's constructor.  The admin token so travels only inside that secret
property: it is never a resource input, never an output, never in plain text
in the state.

The provider process is started by the engine with the CLI's environment, so
the ``KUMA_*`` variables are visible there as well.  They fill in any setting
the program did not capture, and for ``delete`` and ``read`` they *override*
the captured values: ``pulumi destroy`` and ``pulumi refresh`` do not run the
program, so what was captured at the last ``pulumi up`` may be stale (a
rotated admin token, a moved kuma-cp).  To destroy with a new admin token, set
``KUMA_TOKEN`` in the environment.
"""

import dataclasses
import os
from typing import Mapping, Optional

DEFAULT_KUMA_VERSION = "2.14.3"
CONFIG_NAMESPACE = "kumaops"

_ENV = {
    "url": "KUMA_CP_URL",
    "token": "KUMA_TOKEN",
    "ca_cert": "KUMA_CA_CERT",
    "validate_certs": "KUMA_VALIDATE_CERTS",
    "kuma_version": "KUMA_VERSION",
}
_CONFIG_KEYS = {
    "url": "url",
    "token": "token",
    "ca_cert": "caCert",
    "validate_certs": "validateCerts",
    "kuma_version": "kumaVersion",
}

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _parse_bool(value, what):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("%s: expected true or false, got %r" % (what, value))


@dataclasses.dataclass(frozen=True)
class ProviderSettings:
    """Connection settings of the kumaops providers (one kuma-cp).

    :param url: kuma-cp API URL, e.g. ``http://127.0.0.1:5681``.
    :param token: admin user token (``Authorization: Bearer``); secret.
    :param ca_cert: path of the CA certificate that signed kuma-cp's API certificate.
    :param validate_certs: verify kuma-cp's TLS certificate (default true).
    :param kuma_version: the Kuma version whose validation rules ``check`` applies.
    """

    url: Optional[str] = None
    token: Optional[str] = dataclasses.field(default=None, repr=False)
    ca_cert: Optional[str] = None
    validate_certs: Optional[bool] = None
    kuma_version: Optional[str] = None

    def __repr__(self):
        return "ProviderSettings(url=%r, token=%s, ca_cert=%r, validate_certs=%r, kuma_version=%r)" % (
            self.url, "[secret]" if self.token else None, self.ca_cert, self.validate_certs, self.kuma_version)

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "ProviderSettings":
        """Settings from the ``KUMA_*`` environment variables (unset ones stay None)."""
        environ = os.environ if environ is None else environ
        values = {}
        for field, var in _ENV.items():
            value = environ.get(var)
            if value is None or value == "":
                continue
            values[field] = _parse_bool(value, var) if field == "validate_certs" else value
        return cls(**values)

    @classmethod
    def from_pulumi_config(cls, config=None) -> "ProviderSettings":
        """Settings from the ``kumaops`` Pulumi config namespace (unset ones stay None).

        Must be called inside a Pulumi program (or with mocks set).
        """
        if config is None:
            import pulumi

            config = pulumi.Config(CONFIG_NAMESPACE)
        values = {}
        for field, key in _CONFIG_KEYS.items():
            # Config.get returns the plain value of a secret key too; the value
            # only ever ends up inside the SDK's secret __provider property.
            value = config.get(key)
            if value is None or value == "":
                continue
            values[field] = _parse_bool(value, "%s:%s" % (CONFIG_NAMESPACE, key)) if field == "validate_certs" \
                else value
        return cls(**values)

    @classmethod
    def resolve(cls, config=None, environ=None) -> "ProviderSettings":
        """Program-side resolution: the Pulumi config, then the environment."""
        return cls.from_pulumi_config(config).fill_from(cls.from_env(environ))

    def fill_from(self, other: "ProviderSettings") -> "ProviderSettings":
        """These settings, with every unset (None) value taken from ``other``."""
        return dataclasses.replace(self, **{f.name: getattr(other, f.name) for f in dataclasses.fields(self)
                                            if getattr(self, f.name) is None and getattr(other, f.name) is not None})

    def override_with(self, other: "ProviderSettings") -> "ProviderSettings":
        """These settings, with every value ``other`` sets replacing ours."""
        return other.fill_from(self)

    @property
    def effective_kuma_version(self) -> str:
        return self.kuma_version or DEFAULT_KUMA_VERSION

    def client(self, **kwargs):
        """A :class:`KumaClient` for these settings (raises KumaError without a URL)."""
        from ._core.kuma_client import KumaClient

        return KumaClient(self.url, token=self.token, ca_cert=self.ca_cert,
                          validate_certs=True if self.validate_certs is None else self.validate_certs, **kwargs)
