#!/usr/bin/env bash
# Runs every fuzz test of the module for $FUZZTIME each (default 4s), one at a time (go test -fuzz takes
# one target per run). A crasher is saved under the package's testdata/fuzz and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-4s}
status=0
while IFS=: read -r file name; do
	pkg=./$(dirname "$file")
	echo "fuzz $pkg $name ($fuzztime)"
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/hotline-fuzz.$$ 2>&1; then
		cat /tmp/hotline-fuzz.$$
		status=1
	fi
done < <(git ls-files '*_test.go' | xargs grep -oE '^func (Fuzz[A-Za-z0-9_]+)' | sed -E 's/func //')
rm -f /tmp/hotline-fuzz.$$
exit $status
