#!/usr/bin/env bash
# Every test of the project, from a fresh machine: installs and builds what is
# missing (cached under $KUMAOPS_CACHE), then runs
#   1. pytest: unit tests and integration tests against the real things
#      (lab hosts, Pulumi, and kuma-cp/kuma-dp/kumactl where available)
#   2. the collection build and install (ansible-galaxy)
#   3. ansible-test sanity on the installed collection
#   4. ansible-lint --profile production
#   5. molecule scenarios (each molecule/*/molecule.yml)
# and ends with one line "checks: N passed, N failed, N skipped" (skipped:
# molecule scenarios that need the kuma binaries where they are unavailable).
#
# PYTEST_ARGS adds pytest arguments (e.g. PYTEST_ARGS="-k lab").
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$KUMAOPS_ROOT"

env_lines="$(bash tools/bootstrap.sh --no-kuma)" || die "set-up failed (see above)"
eval "$env_lines"
if [ "$KUMAOPS_KUMA_AVAILABLE" != 1 ]; then
  log "kuma binaries unavailable: the tests that need kuma-cp/kuma-dp/kumactl are reported as SKIPPED, not passed"
fi

passed=0; failed=0; skipped=0; failures=()
step() {  # name command...
  local name="$1"; shift
  log "== $name"
  local t0=$SECONDS
  if "$@"; then passed=$((passed + 1)); log "== $name: ok ($((SECONDS - t0)) s)"
  else failed=$((failed + 1)); failures+=("$name"); log "== $name: FAILED ($((SECONDS - t0)) s)"; fi
}

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
collection_build() {
  ansible-galaxy collection build --force --output-path "$work/dist" . >/dev/null &&
  ansible-galaxy collection install --force -p "$work/collections" "$work"/dist/kumaops-mesh-*.tar.gz >/dev/null &&
  test -f "$work/collections/ansible_collections/kumaops/mesh/MANIFEST.json"
}

sanity() {
  # ansible-test's venvs bootstrap pip from a download host outside the
  # package registries; tools/get_pip_offline.py does the same from PyPI.
  local sv pipver
  sv="$(bash tools/sanity-venv.sh)" || return 1
  pipver="$(grep -ohP "^\s+pip='\K[0-9.]+" "$sv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py)"
  mkdir -p ~/.ansible/test/cache
  cp tools/get_pip_offline.py ~/.ansible/test/cache/"get_pip_${pipver//./_}.py"
  (cd "$work/collections/ansible_collections/kumaops/mesh" && PATH="$sv/bin:$PATH" ansible-test sanity --local --python 3.11 --color no)
}

molecule_all() {
  local s d rc=0 found=0
  for s in molecule/*/molecule.yml; do
    [ -e "$s" ] || continue
    d="$(dirname "$s")"; s="$(basename "$d")"
    if [ -e "$d/requires-kuma" ] && [ "$KUMAOPS_KUMA_AVAILABLE" != 1 ]; then
      log "molecule scenario $s: SKIPPED (needs the kuma binaries, which are unavailable)"
      skipped=$((skipped + 1)); continue
    fi
    found=1
    molecule test -s "$s" || rc=1
  done
  [ "$found" = 1 ] || log "no molecule scenario ran"
  return $rc
}

step pytest python3 -m pytest -ra ${PYTEST_ARGS:-} tests
step collection-build collection_build
step sanity sanity
step ansible-lint ansible-lint --profile production
step molecule molecule_all

[ "$failed" = 0 ] || log "failed: ${failures[*]}"
echo "checks: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
