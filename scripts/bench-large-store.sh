#!/usr/bin/env bash
# Measures sign-certificate throughput and start-up time of a SQLite pkid
# server whose certificates table already contains N rows. It creates a CA,
# stops the server, fills the table with N rows in one SQL statement
# (python3's sqlite3 module), starts the server again and runs
# `pkid bench --json`. Start-up time is from process start to the
# "pkid ready" log line.
#
# Usage: scripts/bench-large-store.sh ROWS [seconds] [concurrency]
set -euo pipefail
cd "$(dirname "$0")/.."

rows="${1:?number of rows to store first}"
seconds="${2:-10}"
concurrency="${3:-16}"
WORK="$(mktemp -d /tmp/pkid-bench-large.XXXXXX)"
go build -o "$WORK/pkid" ./cmd/pkid
export PKID_ADMIN_CLIENT_ID=00000000-0000-4000-8000-00000000be0c
export PKID_ADMIN_CLIENT_SECRET="bench-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export XDG_CONFIG_HOME="$WORK/config"
serve_pid=""
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT

# start_server starts pkid serve, waits for its ready line and sets
# serve_pid, PKID_ADDR and startup_ms.
start_server() {
	: >"$WORK/serve.log"
	local began=$(date +%s%N)
	"$WORK/pkid" serve --listen 127.0.0.1:0 --data-dir "$WORK/data" --rate-limit-identity 0 \
		--rate-limit-ip 0 --auto-renew-interval 0 --log-format json 2>>"$WORK/serve.log" &
	serve_pid=$!
	local address=""
	for _ in $(seq 3000); do
		address=$(sed -n 's/.*"msg":"pkid ready","address":"\([^"]*\)".*/\1/p' "$WORK/serve.log")
		[ -n "$address" ] && break
		sleep 0.01
	done
	[ -n "$address" ] || { echo "pkid serve did not start; log in $WORK/serve.log" >&2; exit 1; }
	startup_ms=$(( ($(date +%s%N) - began) / 1000000 ))
	export PKID_ADDR="http://$address"
}

json_get() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"; }

bench() {
	echo "$PKID_ADMIN_CLIENT_SECRET" | "$WORK/pkid" bench --client-id "$PKID_ADMIN_CLIENT_ID" --client-secret - \
		--ca "$ca" --concurrency "$concurrency" --duration "${seconds}s" --json |
		sed "s/^{/{\"storedRows\":$1,\"startupMs\":$startup_ms,/"
}

start_server
echo "$PKID_ADMIN_CLIENT_SECRET" | "$WORK/pkid" login --client-id "$PKID_ADMIN_CLIENT_ID" --client-secret - >/dev/null
project=$("$WORK/pkid" project create "bench-large" -o json | json_get project.id)
ca=$("$WORK/pkid" ca create --project "$project" --name bench-large --common-name "Bench large" \
	--key-algorithm EC_prime256v1 --not-after 5y -o json | json_get id)
bench 0
kill "$serve_pid"; wait "$serve_pid" || true

# Copies of one real certificate row with fresh ids and serials, so the
# table and its indexes have the size of ROWS issued certificates.
python3 - "$WORK/data/pkid.db" "$rows" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""INSERT INTO certificates
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
  SELECT lower(hex(randomblob(16))), c.ca_id, c.ca_cert_id, c.status, '7f' || lower(hex(randomblob(19))),
         c.friendly_name, c.common_name, c.alt_names, c.key_usages, c.ext_key_usages, c.not_before,
         c.not_after, c.certificate, c.certificate_chain, c.sealed_key, NULL, NULL, NULL,
         c.created_at, c.updated_at
  FROM n, (SELECT * FROM certificates LIMIT 1) AS c""", (int(sys.argv[2]),))
db.commit()
print("certificates:", db.execute("SELECT COUNT(*) FROM certificates").fetchone()[0], file=sys.stderr)
PY
# Write the filled file out before the measured run, so the kernel is
# not flushing gigabytes of dirty pages while the run's commits wait on
# fsync.
sync
start_server
bench "$rows"
