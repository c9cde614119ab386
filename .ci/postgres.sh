#!/usr/bin/env bash
# Installs (with apt, when missing) and starts a local PostgreSQL, and makes the role and database the service's
# durable-state tests use. Prints the connection string on its last line. Runs as root, or through sudo.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
read -r version cluster _ < <(pg_lsclusters -h | head -n 1)
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  $SUDO pg_createcluster "$version" main >/dev/null
  cluster=main
fi
$SUDO pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
for _ in $(seq 1 30); do
  if $SUDO su postgres -c "psql -qtAc 'SELECT 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done
$SUDO su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'tariff'\"" | grep -q 1 \
  || $SUDO su postgres -c "psql -qc \"CREATE ROLE tariff LOGIN PASSWORD 'tariff'\""
$SUDO su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'tariff'\"" | grep -q 1 \
  || $SUDO su postgres -c "createdb -O tariff tariff"
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {print $3}')
echo "Host=127.0.0.1;Port=${port};Username=tariff;Password=tariff;Database=tariff"
