#!/usr/bin/env bash
# make fuzz: every `go test -fuzz` target of the repository (decoders and validators: form checks,
# the registry loader, the consent cookie, confirmation links, list cursors, file names, query
# strings), each for FUZZTIME (default 10s). None needs a database. Found crashers land in
# testdata/fuzz/ of their package: commit them, they become regression tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}
fuzztime=${FUZZTIME:-10s}
n=0
while IFS=: read -r file name; do
  pkg=./$(dirname "$file")
  echo "fuzz: $pkg $name ($fuzztime)"
  go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" >/tmp/fuzz-$$.log 2>&1 || { cat /tmp/fuzz-$$.log; rm -f /tmp/fuzz-$$.log; exit 1; }
  n=$((n + 1))
done < <(git ls-files '*_test.go' | xargs grep -Ho '^func Fuzz[A-Za-z0-9_]*' | sed 's/:func /:/' | sort)
rm -f /tmp/fuzz-$$.log
echo "fuzz: $n targets, $fuzztime each: no crasher"
