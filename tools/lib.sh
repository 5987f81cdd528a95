# Shared shell helpers for kumaops tools. Source it; do not run it.
# shellcheck shell=bash
KUMAOPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KUMAOPS_CACHE="${KUMAOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kumaops}"
KUMA_VERSIONS="${KUMA_VERSIONS:-2.14.3 2.13.10}"
# The Pulumi version is pinned in one place: pulumi/requirements.txt (pulumi==X.Y.Z).
PULUMI_VERSION="$(sed -n 's/^pulumi==\([0-9.]*\).*/\1/p' "$KUMAOPS_ROOT/pulumi/requirements.txt" 2>/dev/null)"
export KUMAOPS_ROOT KUMAOPS_CACHE KUMA_VERSIONS PULUMI_VERSION

log()  { printf '[kumaops] %s\n' "$*" >&2; }
die()  { printf '[kumaops] ERROR: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is missing: $2"; }
need_root() { [ "$(id -u)" = 0 ] || die "root is required for $1: run as root (sudo)"; }
