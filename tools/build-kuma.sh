#!/usr/bin/env bash
# Build kuma-cp, kuma-dp and kumactl from Kuma's Go module
# (github.com/kumahq/kuma/v2) into $KUMAOPS_CACHE/kuma-<version>/bin, for each
# version in $KUMA_VERSIONS (default: 2.14.3 2.13.10).
#
# KUMAOPS_KUMA_BIN_DIR points at binaries a user already has, laid out like
# Kong's release archives: $KUMAOPS_KUMA_BIN_DIR/kuma-<version>/bin/{kuma-cp,kuma-dp,kumactl}
# (unpack the official kuma-<version>-linux-<arch>.tar.gz there). Then nothing
# is built for that version.
#
# Exit status: 0 when every version is available; 1 with one line per missing
# version otherwise. `--check` only reports, it never builds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
check_only=0; [ "${1:-}" = "--check" ] && check_only=1

# `go install pkg@version` refuses modules whose go.mod has replace lines, so a
# wrapper module requires Kuma and copies Kuma's own non-local replace lines.
replaces() {  # go.mod path -> its replace directives that point at modules
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"^replace\s*\((.*?)^\)", text, re.S | re.M)
lines = [l for b in blocks for l in b.splitlines()]
lines += re.findall(r"^replace\s+([^(\n].*)$", text, re.M)
for l in lines:
    l = l.split("//")[0].strip()
    if "=>" in l and not l.split("=>")[1].strip().startswith((".", "/")):
        print("replace " + l)
PY
}

kuma_bin_dir() {  # version -> directory holding the three binaries, or empty
  local v="$1" d
  for d in ${KUMAOPS_KUMA_BIN_DIR:+"$KUMAOPS_KUMA_BIN_DIR/kuma-$v/bin"} "$KUMAOPS_CACHE/kuma-$v/bin"; do
    if [ -x "$d/kuma-cp" ] && [ -x "$d/kuma-dp" ] && [ -x "$d/kumactl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

build_one() {
  local v="$1" dest="$KUMAOPS_CACHE/kuma-$v" work
  need go "install Go 1.26 or later (https://go.dev/doc/install)"
  work="$dest/src"; rm -rf "$work"; mkdir -p "$work" "$dest/bin"
  (
    cd "$work"
    printf 'module kumaops.local/kuma-build\n\ngo 1.26\n' > go.mod
    export GOFLAGS=-mod=mod
    if ! go mod download -json "github.com/kumahq/kuma/v2@v$v" > dl.json 2>&1 || grep -q '"Error"' dl.json; then
      err="$(python3 -c 'import json,sys; print(json.load(open("dl.json")).get("Error","").splitlines()[0])' 2>/dev/null || head -1 dl.json)"
      msg="kuma $v: the Go module proxy did not serve github.com/kumahq/kuma/v2@v$v ($err); set KUMAOPS_KUMA_BIN_DIR to unpacked official releases (see README)"
      echo "$msg" >&2
      echo "$msg" > "$KUMAOPS_CACHE/kuma-$v.unavailable"
      exit 1
    fi
    gomod="$(python3 -c 'import json; print(json.load(open("dl.json"))["GoMod"])')"
    printf '\nrequire github.com/kumahq/kuma/v2 v%s\n\n' "$v" >> go.mod
    replaces "$gomod" >> go.mod
    go get "github.com/kumahq/kuma/v2/app/kuma-cp@v$v" >/dev/null
    go build -trimpath -ldflags "-s -w -X github.com/kumahq/kuma/v2/pkg/version.version=$v" -o "$dest/bin/" \
      github.com/kumahq/kuma/v2/app/kuma-cp github.com/kumahq/kuma/v2/app/kuma-dp github.com/kumahq/kuma/v2/app/kumactl
  ) || return 1
  rm -rf "$work"
  rm -f "$KUMAOPS_CACHE/kuma-$v.unavailable"
}

rc=0
for v in $KUMA_VERSIONS; do
  if d="$(kuma_bin_dir "$v")"; then log "kuma $v: $d"; continue; fi
  if [ "$check_only" = 1 ]; then
    echo "kuma $v: no kuma-cp/kuma-dp/kumactl in \$KUMAOPS_KUMA_BIN_DIR/kuma-$v/bin or $KUMAOPS_CACHE/kuma-$v/bin (run tools/build-kuma.sh)" >&2
    rc=1; continue
  fi
  log "kuma $v: building from Go modules (first time only; takes many minutes)"
  build_one "$v" || rc=1
done
exit $rc
