#!/usr/bin/env bash
# Runs every pkid test on SQLite and PostgreSQL. It installs what the tests
# need (openssl) and starts the machine's PostgreSQL server when none
# answers, so a fresh machine needs nothing done by hand.
#
# PKID_TEST_DATABASE_URL names the PostgreSQL server tests create their
# databases on; the default is the local server with trust auth.
set -euo pipefail
cd "$(dirname "$0")/.."

export PKID_TEST_DATABASE_URL="${PKID_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"

scripts/install-test-deps.sh
scripts/ensure-postgres.sh "$PKID_TEST_DATABASE_URL"

# Each fuzz target runs briefly first (10 s by default, about 2 minutes
# for all), so the last lines printed are the test run's summary.
scripts/fuzz.sh

# CI=true makes the suite fail instead of skip when PostgreSQL is missing.
export CI="${CI:-true}"
go test -count=1 -timeout 30m ./... "$@"
