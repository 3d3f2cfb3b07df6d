#!/usr/bin/env bash
# Makes sure the PostgreSQL server of the URL in $1 responds. When it does
# not, it starts this machine's cluster; when PostgreSQL is not installed
# at all, it installs it and lets local TCP connections in without a
# password, as the tests' default URL expects.
set -euo pipefail
url="$1"

if pg_isready -d "$url" -q; then
  exit 0
fi
echo "ensure-postgres: no PostgreSQL responds at the test URL; starting the local cluster" >&2
installed_now=false
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  installed_now=true
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
if [ "$installed_now" = true ]; then
  # A fresh Debian cluster requires passwords on TCP, but the test server is
  # local and holds only throwaway databases.
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
for _ in $(seq 1 30); do
  if pg_isready -d "$url" -q; then
    exit 0
  fi
  sleep 1
done
echo "ensure-postgres: PostgreSQL still does not respond at $url" >&2
exit 1
