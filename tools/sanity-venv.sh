#!/usr/bin/env bash
# A venv with ansible-core and ansible-test's own pinned sanity requirements
# (kept apart from the main venv, whose pins differ). Prints its path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
core="$(sed -n 's/^ansible-core==//p' "$KUMAOPS_ROOT/requirements-dev.txt")"
sv="$KUMAOPS_CACHE/sanity-venv-$core"
if [ ! -e "$sv/.complete" ]; then
  rm -rf "$sv"; python3 -m venv "$sv"
  "$sv/bin/pip" install -q --disable-pip-version-check "ansible-core==$core" >&2
  reqs="$("$sv/bin/python" -c 'import ansible_test, os; print(os.path.join(os.path.dirname(ansible_test.__file__), "_data", "requirements"))')"
  args=(); for f in "$reqs"/sanity.*.txt; do args+=(-r "$f"); done
  "$sv/bin/pip" install -q --disable-pip-version-check "${args[@]}" >&2
  touch "$sv/.complete"
fi
echo "$sv"
