#!/usr/bin/env bash
# Makes sure the PostgreSQL server of the URL in $1 answers. When it does
# not and the server is this machine's, it starts the local cluster (and
# installs PostgreSQL first when it is missing).
set -euo pipefail
url="$1"

if pg_isready -d "$url" -q; then
  exit 0
fi
echo "ensure-postgres: no PostgreSQL answers at the test URL; starting the local cluster" >&2
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do
  if pg_isready -d "$url" -q; then
    exit 0
  fi
  sleep 1
done
echo "ensure-postgres: PostgreSQL still does not answer at $url" >&2
exit 1
