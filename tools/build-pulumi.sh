#!/usr/bin/env bash
# Build the Pulumi CLI and its Python language host from Pulumi's Go modules
# into $KUMAOPS_CACHE/pulumi-<version>/bin, at the version of the `pulumi`
# Python package pinned in pulumi/requirements.txt.
#
# Skips the build when the binaries are cached. KUMAOPS_PULUMI_BIN_DIR points
# at a directory that already holds `pulumi` and `pulumi-language-python`
# (for example an official release): then nothing is built.
#
# Prints the bin directory on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -n "${KUMAOPS_PULUMI_BIN_DIR:-}" ]; then
  for b in pulumi pulumi-language-python; do
    [ -x "$KUMAOPS_PULUMI_BIN_DIR/$b" ] || die "KUMAOPS_PULUMI_BIN_DIR=$KUMAOPS_PULUMI_BIN_DIR has no executable $b"
  done
  echo "$KUMAOPS_PULUMI_BIN_DIR"; exit 0
fi
[ -n "$PULUMI_VERSION" ] || die "pulumi/requirements.txt does not pin pulumi==X.Y.Z"
need go "install Go 1.21 or later (https://go.dev/doc/install)"

dest="$KUMAOPS_CACHE/pulumi-$PULUMI_VERSION"
bin="$dest/bin"
if [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-python" ] && [ -x "$bin/pulumi-resource-pulumi-python" ]; then
  echo "$bin"; exit 0
fi

log "building Pulumi $PULUMI_VERSION from Go modules (first time only; takes minutes)"
work="$dest/src"
rm -rf "$work"; mkdir -p "$work" "$bin"
cd "$work"
# A wrapper module: pkg/v3 and sdk/v3 at the same tag. Up to 3.79 the Python
# language host lives inside sdk/v3 (python/cmd/pulumi-language-python).
cat > go.mod <<MOD
module kumaops.local/pulumi-build

go 1.21

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

// The same replacements as pkg/v3's own go.mod (its local ../sdk one is dropped).
replace github.com/sergi/go-diff => github.com/sergi/go-diff v1.1.0
replace github.com/xanzy/ssh-agent => github.com/pulumi/ssh-agent v0.5.1
replace golang.org/x/text => golang.org/x/text v0.3.6
MOD
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)
GO
export GOFLAGS="-mod=mod"
go mod tidy -e >/dev/null 2>"$work/tidy.log" || { cat "$work/tidy.log" >&2; die "go mod tidy failed for Pulumi $PULUMI_VERSION"; }
ldflags="-s -w -checklinkname=0 -X github.com/pulumi/pulumi/pkg/v3/version.Version=v$PULUMI_VERSION -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
# -checklinkname=0: Pulumi 3.79 depends on a module (pgavlin/text) that links to
# internal/bytealg, which Go 1.23+ refuses by default.
go build -trimpath -ldflags "$ldflags" -o "$bin/" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python
sdkdir="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
for s in pulumi-resource-pulumi-python pulumi-analyzer-policy-python; do
  [ -f "$sdkdir/python/dist/$s" ] && install -m 0755 "$sdkdir/python/dist/$s" "$bin/$s"
done
[ -f "$sdkdir/python/cmd/pulumi-language-python-exec" ] && install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" "$bin/"
"$bin/pulumi" version >/dev/null || die "built pulumi does not run"
rm -rf "$work"
log "Pulumi $PULUMI_VERSION built in $bin"
echo "$bin"
