#!/usr/bin/env bash
# Runs every fuzz target of pkid one after another, each for FUZZTIME
# (default 10s, any `go test -fuzztime` value). A failing input is saved
# under the package's testdata/fuzz/<target>/ and the script stops with
# the failure; commit that file with the fix so it runs as a seed.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${1:-${FUZZTIME:-10s}}"

# package and target, one pair per line.
targets="
./internal/api FuzzParseDate
./internal/api FuzzParseTTL
./internal/api FuzzReadBody
./internal/api FuzzDecodeNewCA
./internal/api FuzzDecodeCertificateRequest
./internal/pki FuzzParseAltNames
./internal/pki FuzzParseCSR
./internal/pki FuzzParseCSRPEM
./internal/pki FuzzParseCertificatesPEM
./internal/authority FuzzVerifyImportedChain
"

while read -r pkg target; do
	[ -n "$pkg" ] || continue
	echo "fuzz: $target in $pkg for $fuzztime"
	go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime"
done <<<"$targets"
