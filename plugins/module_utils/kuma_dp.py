# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""kuma-dp run configuration: the flags, the environment and the systemd unit.

One renderer for the role and the Pulumi provider. Each kuma-dp is one
systemd unit instance, ``kuma-dp@<instance>.service``, written as a complete
unit file of its own, so several proxies on one host each have their own
token, work directory and ports.

Graceful stop: on SIGTERM kuma-dp marks itself not ready, tells Envoy to fail
its health checks, waits for the drain time, then stops Envoy (with a grace
of a few seconds). So the unit sends SIGTERM to kuma-dp alone
(``KillMode=mixed``: systemd's default ``control-group`` would signal Envoy
directly and skip the drain), and ``TimeoutStopSec`` is above the drain time
plus that grace.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.kumaops.mesh.plugins.module_utils.tokens import TokenError, parse_duration

ENVOY_STOP_GRACE_SECONDS = 5
STOP_MARGIN_SECONDS = 10
DEFAULT_READINESS_PORT = 9902
_INSTANCE_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$")
_SAFE_ARG_RE = re.compile(r"^[A-Za-z0-9_@%+=:,./{}-]+$")

DEFAULTS = {
    "lifecycle": "direct",
    "mesh": "default",
    "install_dir": "/opt/kuma-dp",
    "config_dir": "/etc/kuma-dp",
    "state_dir": "/var/lib/kuma-dp",
    "user": "kuma-dp",
    "group": "kuma-dp",
    "drain_time": "30s",
    "dns_enabled": False,
    "proxy_type": "dataplane",
    "readiness_port": DEFAULT_READINESS_PORT,
    "application_probe_proxy_port": None,
    "concurrency": None,
    "limit_nofile": 65536,
    "dataplane_vars": {},
    "extra_args": [],
    "environment": {},
}


class KumaDpConfigError(ValueError):
    """Every problem of a kuma-dp instance configuration, in one message."""

    def __init__(self, problems):
        self.problems = problems
        super(KumaDpConfigError, self).__init__("; ".join(problems))


def instance_config(spec):
    """The full configuration of one instance: spec over DEFAULTS, checked.

    Required: ``instance`` (unit instance name), ``cp_address``; Direct:
    ``dataplane_file`` (written by the caller) and ``dataplane_vars``;
    Indirect: ``name`` and ``mesh`` of the Dataplane registered in kuma-cp.
    Paths derive from the directories unless given.
    """
    cfg = dict(DEFAULTS)
    cfg.update(dict((k, v) for k, v in spec.items() if v is not None))
    problems = []
    inst = cfg.get("instance")
    if not inst or not _INSTANCE_RE.match(str(inst)):
        problems.append("instance: %r must be 1-63 characters of letters, digits, '_', '.', '-'" % (inst,))
        inst = "invalid"
    cfg.setdefault("name", inst)
    cfg.setdefault("work_dir", "%s/%s" % (cfg["state_dir"], inst))
    cfg.setdefault("token_file", "%s/%s/token" % (cfg["config_dir"], inst))
    cfg.setdefault("dataplane_file", "%s/%s/dataplane.yaml" % (cfg["config_dir"], inst))
    cfg.setdefault("kuma_dp_path", "%s/current/bin/kuma-dp" % cfg["install_dir"])
    cfg.setdefault("envoy_path", "%s/current/bin/envoy" % cfg["install_dir"])
    cfg.setdefault("coredns_path", "%s/current/bin/coredns" % cfg["install_dir"])
    if not cfg.get("cp_address"):
        problems.append("cp_address: required (kuma-cp's DP server, for example https://kuma-cp:5678)")
    elif not re.match(r"^https?://", cfg["cp_address"]):
        problems.append("cp_address: %r must start with https:// or http://" % cfg["cp_address"])
    if cfg["lifecycle"] not in ("direct", "indirect"):
        problems.append("lifecycle: %r must be direct or indirect" % cfg["lifecycle"])
    if cfg["proxy_type"] not in ("dataplane", "ingress", "egress"):
        problems.append("proxy_type: %r must be dataplane, ingress or egress" % cfg["proxy_type"])
    try:
        cfg["drain_seconds"] = parse_duration(cfg["drain_time"])
    except TokenError as e:
        problems.append("drain_time: %s" % e)
        cfg["drain_seconds"] = 0
    ports = {}
    for key in ("readiness_port", "application_probe_proxy_port"):
        port = cfg.get(key)
        if port is None:
            continue
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            problems.append("%s: %r must be a port in [1, 65535]" % (key, port))
        elif port in ports:
            problems.append("%s: %d is already the %s" % (key, port, ports[port]))
        else:
            ports[port] = key
    for key in ("work_dir", "token_file", "dataplane_file", "kuma_dp_path", "envoy_path", "coredns_path",
                "ca_cert_file"):
        value = cfg.get(key)
        if value is not None and not (str(value).startswith("/") and _SAFE_ARG_RE.match(str(value))):
            problems.append("%s: %r must be an absolute path without spaces or quotes" % (key, value))
    for k, v in sorted((cfg.get("dataplane_vars") or {}).items()):
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(k)):
            problems.append("dataplane_vars: name %r must be a mustache identifier" % (k,))
        if not _SAFE_ARG_RE.match(str(v)):
            problems.append("dataplane_vars.%s: %r must not contain spaces or quotes" % (k, v))
    if problems:
        raise KumaDpConfigError(problems)
    return cfg


def run_args(cfg):
    """``kuma-dp run`` and its flags for one instance (argv list)."""
    args = [cfg["kuma_dp_path"], "run", "--cp-address", cfg["cp_address"]]
    if cfg.get("ca_cert_file"):
        args += ["--ca-cert-file", cfg["ca_cert_file"]]
    if cfg["lifecycle"] == "direct":
        args += ["--dataplane-file", cfg["dataplane_file"]]
        for k, v in sorted((cfg.get("dataplane_vars") or {}).items()):
            args += ["--dataplane-var", "%s=%s" % (k, v)]
    else:
        args += ["--name", cfg["name"], "--mesh", cfg["mesh"]]
    if cfg["proxy_type"] != "dataplane":
        args += ["--proxy-type", cfg["proxy_type"]]
    args += ["--dataplane-token-file", cfg["token_file"], "--drain-time", _seconds(cfg["drain_seconds"]),
             "--binary-path", cfg["envoy_path"], "--work-dir", cfg["work_dir"]]
    if cfg["dns_enabled"]:
        args += ["--dns-coredns-path", cfg["coredns_path"]]
    else:
        args += ["--dns-enabled=false"]
    if cfg.get("concurrency"):
        args += ["--concurrency", str(int(cfg["concurrency"]))]
    args += [str(a) for a in cfg.get("extra_args") or []]
    return args


def environment(cfg):
    """Environment of the instance (readiness and probe-proxy ports, extras)."""
    # Kuma 2.12-2.13 serve readiness on a unix socket unless told otherwise;
    # a TCP port on loopback is what the role's readiness gate reads.
    env = {"KUMA_READINESS_PORT": str(cfg["readiness_port"]), "KUMA_READINESS_UNIX_SOCKET_DISABLED": "true"}
    if cfg.get("application_probe_proxy_port"):
        env["KUMA_APPLICATION_PROBE_PROXY_PORT"] = str(cfg["application_probe_proxy_port"])
    env.update(dict((str(k), str(v)) for k, v in (cfg.get("environment") or {}).items()))
    return env


def stop_timeout_seconds(cfg):
    """TimeoutStopSec: the drain time, Envoy's stop grace and a margin."""
    return int(cfg["drain_seconds"] + ENVOY_STOP_GRACE_SECONDS + STOP_MARGIN_SECONDS + 0.999)


def unit_name(cfg):
    return "kuma-dp@%s.service" % cfg["instance"]


def render_unit(cfg, header="Managed by kumaops"):
    """The complete systemd unit file of one instance."""
    env_lines = "".join('Environment="%s=%s"\n' % (k, _unit_escape(v)) for k, v in sorted(environment(cfg).items()))
    rw = " ".join([cfg["work_dir"]])
    return (
        "# {header}\n"
        "[Unit]\n"
        "Description=Kuma data plane proxy {instance} ({lifecycle})\n"
        "Documentation=https://kuma.io/docs/\n"
        "After=network-online.target\n"
        "Wants=network-online.target\n"
        "StartLimitIntervalSec=0\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        "User={user}\n"
        "Group={group}\n"
        "{env}"
        "ExecStart={exec_start}\n"
        "WorkingDirectory={work_dir}\n"
        "Restart=always\n"
        "RestartSec=1s\n"
        "# SIGTERM to kuma-dp only: it drains Envoy for the drain time, then stops it.\n"
        "KillSignal=SIGTERM\n"
        "KillMode=mixed\n"
        "TimeoutStopSec={timeout}s\n"
        "LimitNOFILE={nofile}\n"
        "NoNewPrivileges=yes\n"
        "ProtectSystem=strict\n"
        "ProtectHome=yes\n"
        "PrivateTmp=yes\n"
        "ReadWritePaths={rw}\n"
        "\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n"
    ).format(header=header, instance=cfg["instance"], lifecycle=cfg["lifecycle"], user=cfg["user"],
             group=cfg["group"], env=env_lines, exec_start=" ".join(_unit_escape(a) for a in run_args(cfg)),
             work_dir=cfg["work_dir"], timeout=stop_timeout_seconds(cfg), nofile=int(cfg["limit_nofile"]), rw=rw)


def _seconds(value):
    return ("%d" % value if float(value).is_integer() else ("%.3f" % value).rstrip("0")) + "s"


def _unit_escape(value):
    """A word for a unit file: systemd expands % specifiers and $ variables."""
    return str(value).replace("%", "%%").replace("$", "$$")
