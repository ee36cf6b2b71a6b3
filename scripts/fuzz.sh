#!/usr/bin/env bash
# Runs every fuzz test of the module for $FUZZTIME each (default 4s), one at a time (go test -fuzz takes
# one target per run). A crasher is saved under the package's testdata/fuzz and fails the run.
#
# Go 1.26's fuzz coordinator can report a bare "context deadline exceeded" when -fuzztime ends while a
# worker is busy (go.dev/issue/75804, fixed in Go 1.27): no input failed and nothing is written. Such a run
# is tried once more; a real finding (a failing input written, a panic, a test error) always fails.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-4s}
log=/tmp/hotline-fuzz.$$
trap 'rm -f "$log"' EXIT
status=0

# deadline_flake tells whether the log is only the coordinator's shutdown race.
deadline_flake() {
	grep -q 'context deadline exceeded' "$log" &&
		! grep -qE 'Failing input written|panic:' "$log" &&
		! grep -qE '^\s+[A-Za-z0-9_]+_test\.go:[0-9]+:' "$log"
}

while IFS=: read -r file name; do
	pkg=./$(dirname "$file")
	echo "fuzz $pkg $name ($fuzztime)"
	for try in 1 2; do
		if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >"$log" 2>&1; then
			break
		fi
		if [ "$try" = 1 ] && deadline_flake; then
			echo "  (the fuzz coordinator's deadline race, go.dev/issue/75804: no failing input; running it again)"
			continue
		fi
		cat "$log"
		status=1
		break
	done
done < <(git ls-files '*_test.go' | xargs grep -oE '^func (Fuzz[A-Za-z0-9_]+)' | sed -E 's/func //')
exit $status
