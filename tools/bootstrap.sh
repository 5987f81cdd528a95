#!/usr/bin/env bash
# Install everything the demo and the tests need, idempotently, and cache the
# slow parts under $KUMAOPS_CACHE. Prints `export` lines for the environment
# (PATH with the venv, Pulumi and Kuma binaries); callers `eval` them.
#
#   --no-kuma   do not fail when kuma binaries are unavailable
set -euo pipefail
. "$(dirname "$0")/lib.sh"
allow_no_kuma=0; [ "${1:-}" = "--no-kuma" ] && allow_no_kuma=1

need_root "the lab (network namespaces, systemd-nspawn, debootstrap)"
need python3 "install Python 3.11 or later"
need go "install Go 1.21 or later (https://go.dev/doc/install)"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python 3.11 or later is required (ansible-core 2.19)"

# Debian packages for the lab.
missing=()
for pair in debootstrap:debootstrap systemd-nspawn:systemd-container ssh:openssh-client ip:iproute2 nsenter:util-linux curl:curl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  log "apt-get install ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
fi

# The Python virtualenv, keyed by the requirements so a change rebuilds it.
req_hash="$(cat "$KUMAOPS_ROOT/requirements-dev.txt" "$KUMAOPS_ROOT/pulumi/requirements.txt" | sha256sum | cut -c1-12)"
venv="$KUMAOPS_CACHE/venv-$req_hash"
if [ ! -x "$venv/bin/ansible-playbook" ] || [ ! -e "$venv/.complete" ]; then
  log "creating Python venv $venv"
  rm -rf "$venv"; python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$KUMAOPS_ROOT/requirements-dev.txt" >&2 \
    || die "pip install -r requirements-dev.txt failed"
  touch "$venv/.complete"
fi

pulumi_bin="$(bash "$KUMAOPS_ROOT/tools/build-pulumi.sh")"
kuma_ok=1
bash "$KUMAOPS_ROOT/tools/build-kuma.sh" 2>&1 | grep -v '^\[kumaops\] kuma .*: building' >&2 || true
bash "$KUMAOPS_ROOT/tools/build-kuma.sh" --check 2>/dev/null || kuma_ok=0
if [ "$kuma_ok" = 0 ] && [ "$allow_no_kuma" = 0 ]; then
  die "kuma binaries are unavailable (see the lines above)"
fi
python3 "$KUMAOPS_ROOT/tools/lab.py" image >/dev/null

# Ansible finds this working tree as the kumaops.mesh collection.
coll="$KUMAOPS_CACHE/collections/ansible_collections/kumaops"
mkdir -p "$coll"
ln -sfn "$KUMAOPS_ROOT" "$coll/mesh"

echo "export KUMAOPS_CACHE='$KUMAOPS_CACHE'"
echo "export ANSIBLE_COLLECTIONS_PATH='$KUMAOPS_CACHE/collections'"
echo "export KUMAOPS_VENV='$venv'"
echo "export KUMAOPS_PULUMI_BIN='$pulumi_bin'"
echo "export PATH='$venv/bin:$pulumi_bin':\"\$PATH\""
echo "export KUMAOPS_KUMA_AVAILABLE=$kuma_ok"
