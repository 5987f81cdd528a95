#!/usr/bin/env bash
# The demo on a local lab: installs what is missing, starts 3 real systemd
# hosts and a real kuma-cp on the lab bridge, shows them, then tears the lab
# down (KEEP=1 keeps it; `python3 tools/lab.py down demo` removes it later).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KUMAOPS_ROOT"
eval "$(bash tools/bootstrap.sh --no-kuma)"
LAB=demo
KUMA_VERSION="${KUMA_VERSION:-2.14.3}"

cleanup() { [ "${KEEP:-0}" = 1 ] || python3 tools/lab.py down "$LAB"; }
trap cleanup EXIT

log "starting lab '$LAB': 3 hosts and a control-plane namespace"
python3 tools/lab.py up "$LAB" web-1 web-2 redis-1 --service cp >/dev/null
inv="$(mktemp --suffix .json)"; python3 tools/lab.py inventory "$LAB" > "$inv"

echo
echo "Hosts (facts gathered over SSH by Ansible):"
tree="$(mktemp -d)"
ANSIBLE_HOST_KEY_CHECKING=False ansible all -i "$inv" -m ansible.builtin.setup --tree "$tree" \
  -a 'gather_subset=!all,!min,distribution,service_mgr,network' >/dev/null 2>&1 || true
python3 - "$tree" <<'PY'
import json, os, sys
fmt = "  %-10s %-14s %-12s %-10s %s"
print(fmt % ("HOST", "ADDRESS", "OS", "INIT", "SSH"))
for host in sorted(os.listdir(sys.argv[1])):
    res = json.load(open(os.path.join(sys.argv[1], host)))
    f = res.get("ansible_facts", {})
    print(fmt % (host, (f.get("ansible_all_ipv4_addresses") or ["-"])[0],
                 "%s %s" % (f.get("ansible_distribution", "?"), f.get("ansible_distribution_version", "")),
                 f.get("ansible_service_mgr", "?"), "UNREACHABLE" if res.get("unreachable") else "ok"))
PY
rm -rf "$tree"
rm -f "$inv"

echo
if ! facts="$(python3 tools/kumacp.py up "$LAB" --version "$KUMA_VERSION" 2>&1)"; then
  echo "kuma-cp $KUMA_VERSION: unavailable on this machine: $facts"
  exit 3
fi
echo "kuma-cp $KUMA_VERSION (real, Universal mode, in-memory store):"
python3 -c 'import json,sys; f=json.loads(sys.argv[1]); [print("  %-14s %s" % (k, f[k])) for k in ("api_url","dp_server_url","netns")]' "$facts"

# Release archives (the real kuma-dp with the Envoy/CoreDNS stand-ins), served
# from the lab's `dl` namespace so that the role downloads them for real.
work="$(mktemp -d)"; trap 'rm -rf "$work"; cleanup' EXIT
archives="$(python3 tools/release_archives.py build "$work/archives" "$KUMA_VERSION")"
dl="$(python3 tools/release_archives.py serve "$LAB" "$work/archives")"
python3 tools/lab.py inventory "$LAB" > "$work/lab.json"
python3 - "$facts" "$archives" "$dl" "$KUMA_VERSION" > "$work/vars.json" <<'PY'
import json, sys
cp, archives, dl, version = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
print(json.dumps({
    "kuma_dp_version": version,
    "kuma_dp_archive_url": "%s/%s" % (dl, archives[version]["url_path"]),
    "kuma_dp_archive_sha256": {"amd64": archives[version]["sha256"]},
    "kuma_dp_cp_address": cp["dp_server_url"], "kuma_dp_cp_api_url": cp["api_url"],
    "kuma_dp_cp_token": open(cp["admin_token_file"]).read().strip(), "kuma_dp_ca_cert": cp["ca_cert"],
}))
PY
chmod 600 "$work/vars.json"
play() { ANSIBLE_HOST_KEY_CHECKING=False ansible-playbook -i "$work/lab.json" -i examples/inventory.yml -e "@$work/vars.json" "$@"; }

echo
echo "== Rolling out kuma-dp (examples/inventory.yml: backend on web-1/web-2 with an outbound to redis on redis-1)"
play kumaops.mesh.rollout -e kumaops_batch=1
echo
echo "== Status after the rollout"
play kumaops.mesh.status | sed -n '/"msg"/,/]/p'
echo
echo "== Leaving the mesh (graceful stop: each proxy drains first)"
play kumaops.mesh.leave -e kuma_dp_remove_files=true
echo
echo "== Status after leaving"
play kumaops.mesh.status | sed -n '/"msg"/,/]/p'
