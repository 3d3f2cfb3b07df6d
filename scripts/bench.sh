#!/usr/bin/env bash
# Measures sign-certificate throughput of a local pkid server: starts
# `pkid serve` on 127.0.0.1, creates a project and a root CA per key
# algorithm, and runs `pkid bench --json` at each concurrency. One JSON
# object per run goes to standard output. The script adds the backend, the
# CA key algorithm and the 1-minute load average before the run to it.
# The server log goes to $WORK/serve.log.
#
# Usage: scripts/bench.sh [sqlite|postgres] [seconds per run]
# For postgres, PKID_BENCH_DATABASE_URL names an empty database.
set -euo pipefail
cd "$(dirname "$0")/.."

backend="${1:-sqlite}"
seconds="${2:-10}"
algorithms="${PKID_BENCH_ALGORITHMS:-EC_prime256v1 RSA_2048}"
concurrencies="${PKID_BENCH_CONCURRENCY:-1 16 64}"

WORK="$(mktemp -d /tmp/pkid-bench.XXXXXX)"
go build -o "$WORK/pkid" ./cmd/pkid

export PKID_ADMIN_CLIENT_ID=00000000-0000-4000-8000-00000000be0c
export PKID_ADMIN_CLIENT_SECRET="bench-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
database_url=""
if [ "$backend" = postgres ]; then
	database_url="${PKID_BENCH_DATABASE_URL:?set PKID_BENCH_DATABASE_URL to an empty PostgreSQL database}"
fi

# Rate limits are off: the default per-identity limit would cap the run.
"$WORK/pkid" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" \
	--database-url "$database_url" --rate-limit-identity 0 --rate-limit-ip 0 \
	--auto-renew-interval 0 --log-format json 2>"$WORK/serve.log" &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null || true' EXIT
# The server picks a free port; its "pkid ready" log line names it.
address=""
for _ in $(seq 300); do
	address=$(sed -n 's/.*"msg":"pkid ready","address":"\([^"]*\)".*/\1/p' "$WORK/serve.log" 2>/dev/null)
	[ -n "$address" ] && break
	sleep 0.1
done
[ -n "$address" ] || { echo "pkid serve did not start; log in $WORK/serve.log" >&2; exit 1; }
server="http://$address"

export PKID_ADDR="$server" XDG_CONFIG_HOME="$WORK/config"
echo "$PKID_ADMIN_CLIENT_SECRET" | "$WORK/pkid" login --client-id "$PKID_ADMIN_CLIENT_ID" --client-secret - >/dev/null
# json_get PATH prints the value at a dotted PATH of the JSON on stdin.
json_get() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"; }
project=$("$WORK/pkid" project create "bench-$RANDOM" -o json | json_get project.id)

for alg in $algorithms; do
	name="bench-$(echo "$alg" | tr 'A-Z_' 'a-z-')"
	ca=$("$WORK/pkid" ca create --project "$project" --name "$name" --common-name "Bench $alg" \
		--key-algorithm "$alg" --not-after 5y -o json | json_get id)
	for c in $concurrencies; do
		# The 1-minute load average before the run shows whether other
		# jobs shared the cores.
		load=$(cut -d' ' -f1 /proc/loadavg)
		echo "$PKID_ADMIN_CLIENT_SECRET" | "$WORK/pkid" bench --client-id "$PKID_ADMIN_CLIENT_ID" \
			--client-secret - --ca "$ca" --concurrency "$c" --duration "${seconds}s" --json "${@:3}" |
			sed "s/^{/{\"backend\":\"$backend\",\"caKeyAlgorithm\":\"$alg\",\"loadAverage\":$load,/"
	done
done
