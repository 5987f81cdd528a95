# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Pulumi resources for Kuma: :class:`Mesh`, :class:`Dataplane` and :class:`DataplaneToken`.

Every resource takes its arguments either as an ``...Args`` object or as
keyword arguments, like Pulumi's generated SDKs::

    mesh = Mesh("default", name="default")
    web = Dataplane("web-1", mesh=mesh.name, networking={
        "address": "10.0.0.11",
        "inbound": [{"port": 8080, "servicePort": 80, "tags": {"kuma.io/service": "web"}}],
    })
    token = DataplaneToken("web-1", DataplaneTokenArgs(name="web-1", mesh=mesh.name,
                                                       tags={"kuma.io/service": "web"},
                                                       valid_for="720h", renew_before="168h"))

kuma-cp connection settings are not arguments: see :mod:`pulumi_kumaops.config`.
"""

import dataclasses
from typing import Any, List, Mapping, Optional, Union

import pulumi
import pulumi.dynamic

from .config import ProviderSettings
from .provider import DataplaneProvider, DataplaneTokenProvider, MeshProvider


def _args_from(args_type, args, kwargs):
    if args is not None and kwargs:
        raise TypeError("give either %s or keyword arguments, not both" % args_type.__name__)
    if args is None:
        args = args_type(**kwargs)
    elif not isinstance(args, args_type):
        raise TypeError("expected %s, got %s" % (args_type.__name__, type(args).__name__))
    return args


# --------------------------------------------------------------------------
# Mesh
# --------------------------------------------------------------------------

@dataclasses.dataclass
class MeshArgs:
    """The set of arguments for constructing a :class:`Mesh` resource.

    :param name: The name of the Mesh in kuma-cp.  Defaults to the resource name.
    :param spec: Kuma's Mesh fields other than ``type`` and ``name`` (``mtls``,
           ``logging``, ``tracing``, ``metrics``, ``networking``, ...) in Kuma's JSON form.
    :param labels: Labels of the Mesh resource.
    """

    name: Optional[pulumi.Input[str]] = None
    spec: Optional[pulumi.Input[Mapping[str, Any]]] = None
    labels: Optional[pulumi.Input[Mapping[str, pulumi.Input[str]]]] = None


class Mesh(pulumi.dynamic.Resource, module="kumaops", name="Mesh"):
    """A Kuma Mesh, created, updated and deleted through kuma-cp's API.

    Changing ``name`` replaces the Mesh.  ``pulumi refresh`` reads it back from
    kuma-cp; fields kuma-cp adds (``creationTime``, ``kuma.io/*`` labels) are
    never a change.
    """

    name: pulumi.Output[str]
    """The name of the Mesh."""
    spec: pulumi.Output[Mapping[str, Any]]
    """Kuma's Mesh fields other than type and name."""
    labels: pulumi.Output[Optional[Mapping[str, str]]]
    """Labels of the Mesh resource."""

    def __init__(self, resource_name: str, args: Optional[MeshArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None, *, settings: Optional[ProviderSettings] = None,
                 **kwargs) -> None:
        """
        :param str resource_name: The name of the resource.
        :param MeshArgs args: The arguments to use to populate this resource's properties.
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param ProviderSettings settings: kuma-cp connection settings; by default from
               the ``kumaops`` Pulumi config, then ``KUMA_*`` environment variables.
        """
        args = _args_from(MeshArgs, args, kwargs)
        props = {"name": args.name if args.name is not None else resource_name, "spec": args.spec or {},
                 "labels": args.labels}
        provider = MeshProvider(settings if settings is not None else ProviderSettings.resolve())
        super().__init__(provider, resource_name, props, opts)


# --------------------------------------------------------------------------
# Dataplane
# --------------------------------------------------------------------------

@dataclasses.dataclass
class DataplaneArgs:
    """The set of arguments for constructing a :class:`Dataplane` resource.

    :param networking: Kuma's ``networking`` object in its JSON form: ``address``,
           ``advertisedAddress``, ``inbound`` (``port``, ``servicePort``, ``serviceAddress``,
           ``address``, ``tags``, ``serviceProbe``, ...), ``outbound``, ``gateway``,
           ``transparentProxying``, ``admin``.
    :param mesh: The mesh the Dataplane belongs to.  Defaults to ``default``.
    :param name: The Dataplane name in kuma-cp (what ``kuma-dp --name`` uses).
           Defaults to the resource name.
    :param labels: Labels of the Dataplane resource.
    """

    networking: pulumi.Input[Mapping[str, Any]]
    mesh: Optional[pulumi.Input[str]] = None
    name: Optional[pulumi.Input[str]] = None
    labels: Optional[pulumi.Input[Mapping[str, pulumi.Input[str]]]] = None


class Dataplane(pulumi.dynamic.Resource, module="kumaops", name="Dataplane"):
    """A Kuma Dataplane registered in kuma-cp: the Indirect lifecycle.

    ``kuma-dp`` started on the host with ``--name``/``--mesh`` (and no
    dataplane file) then picks this Dataplane up.

    * ``pulumi preview`` validates the Dataplane with the same validator as the
      Ansible modules (a port of kuma-cp's) before any API call, and reports
      every violation with its field path, e.g. ``networking.inbound[0].port``.
    * A change of ``name`` or ``mesh`` replaces the Dataplane; anything else
      is an update in place.  What kuma-cp adds (``creationTime``,
      ``kuma.io/*`` labels, the ``kuma.io/zone`` inbound tag) is never a change.
    * ``pulumi refresh`` reads the Dataplane back from kuma-cp.
    """

    name: pulumi.Output[str]
    """The Dataplane name in kuma-cp."""
    mesh: pulumi.Output[str]
    """The mesh of the Dataplane."""
    networking: pulumi.Output[Mapping[str, Any]]
    """Kuma's networking object."""
    labels: pulumi.Output[Optional[Mapping[str, str]]]
    """Labels of the Dataplane resource."""

    def __init__(self, resource_name: str, args: Optional[DataplaneArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None, *, settings: Optional[ProviderSettings] = None,
                 **kwargs) -> None:
        """
        :param str resource_name: The name of the resource.
        :param DataplaneArgs args: The arguments to use to populate this resource's properties.
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param ProviderSettings settings: kuma-cp connection settings; by default from
               the ``kumaops`` Pulumi config, then ``KUMA_*`` environment variables.
        """
        args = _args_from(DataplaneArgs, args, kwargs)
        props = {"name": args.name if args.name is not None else resource_name,
                 "mesh": args.mesh if args.mesh is not None else "default",
                 "networking": args.networking, "labels": args.labels}
        provider = DataplaneProvider(settings if settings is not None else ProviderSettings.resolve())
        super().__init__(provider, resource_name, props, opts)


# --------------------------------------------------------------------------
# DataplaneToken
# --------------------------------------------------------------------------

@dataclasses.dataclass
class DataplaneTokenArgs:
    """The set of arguments for constructing a :class:`DataplaneToken` resource.

    :param name: The Dataplane name the token is bound to.  Defaults to the resource name.
    :param mesh: The mesh the token is for.  Defaults to ``default``.
    :param tags: Tags the token is bound to (tag -> value or list of values).
    :param proxy_type: ``dataplane`` or empty (kuma-cp issues dataplane tokens for dataplane proxies only).
    :param workload: The workload identity the token is bound to.
    :param valid_for: Token lifetime as a Go duration (``720h``); kuma-cp's default when unset.
    :param renew_before: Replace the token once less than this (Go duration) of it remains.
    """

    name: Optional[pulumi.Input[str]] = None
    mesh: Optional[pulumi.Input[str]] = None
    tags: Optional[pulumi.Input[Mapping[str, pulumi.Input[Union[str, List[str]]]]]] = None
    proxy_type: Optional[pulumi.Input[str]] = None
    workload: Optional[pulumi.Input[str]] = None
    valid_for: Optional[pulumi.Input[str]] = None
    renew_before: Optional[pulumi.Input[str]] = None


class DataplaneToken(pulumi.dynamic.Resource, module="kumaops", name="DataplaneToken"):
    """A dataplane token issued by kuma-cp, for ``kuma-dp --dataplane-token-file``.

    ``token`` is a secret output: encrypted in the state and shown as
    ``[secret]``.  The token is replaced -- a new one issued -- when its claims
    would change (name, mesh, tags, proxy type, workload), when it expired, or
    once it is inside its ``renew_before`` window; each ``pulumi up`` after that
    point issues a fresh one.
    """

    name: pulumi.Output[str]
    """The Dataplane name the token is bound to."""
    mesh: pulumi.Output[str]
    """The mesh the token is for."""
    token: pulumi.Output[str]
    """The token (a JWT).  Secret."""
    claims: pulumi.Output[Mapping[str, Any]]
    """The token's public claims (Name, Mesh, Tags, Type, Workload, jti, iat, nbf, exp)."""
    expires_at: pulumi.Output[Optional[int]]
    """When the token expires, in Unix seconds."""

    def __init__(self, resource_name: str, args: Optional[DataplaneTokenArgs] = None,
                 opts: Optional[pulumi.ResourceOptions] = None, *, settings: Optional[ProviderSettings] = None,
                 **kwargs) -> None:
        """
        :param str resource_name: The name of the resource.
        :param DataplaneTokenArgs args: The arguments to use to populate this resource's properties.
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param ProviderSettings settings: kuma-cp connection settings; by default from
               the ``kumaops`` Pulumi config, then ``KUMA_*`` environment variables.
        """
        args = _args_from(DataplaneTokenArgs, args, kwargs)
        props = {"name": args.name if args.name is not None else resource_name,
                 "mesh": args.mesh if args.mesh is not None else "default",
                 "tags": args.tags, "proxyType": args.proxy_type, "workload": args.workload,
                 "validFor": args.valid_for, "renewBefore": args.renew_before,
                 "token": None, "claims": None, "expiresAt": None}
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["token"]))
        provider = DataplaneTokenProvider(settings if settings is not None else ProviderSettings.resolve())
        super().__init__(provider, resource_name, props, opts)
        # The engine encrypts "token" because of additional_secret_outputs; mark
        # it secret in the program as well, whatever the engine answers.
        self.token = pulumi.Output.secret(self.token)
        self.expires_at = self.__dict__.get("expiresAt")
