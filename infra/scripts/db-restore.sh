#!/usr/bin/env bash
# Restore a db-backup.sh dump into an EMPTY PostgreSQL database (it refuses a database that has tables,
# so a restore never mixes with live data). Stop the app or point it elsewhere first.
#   infra/scripts/db-restore.sh FILE [DATABASE_URL]
#     FILE          a pg_dump custom-format file
#     DATABASE_URL  the empty target database; default: $DATABASE_URL
# Create the empty database first, e.g. createdb -h HOST -U USER eaili5_restored.
# Runs in one transaction: on any error nothing is restored.
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac

file="$1"
url="${2:-${DATABASE_URL:-}}"
if [[ ! -r "$file" ]]; then
  echo "db-restore: cannot read $file" >&2
  exit 2
fi
if [[ -z "$url" ]]; then
  echo "db-restore: give DATABASE_URL as an argument or in the environment" >&2
  exit 2
fi
url="${url/#postgresql+asyncpg:\/\//postgresql://}"
url="${url/#postgres:\/\//postgresql://}"
url="${url/ssl=require/sslmode=require}"  # asyncpg's spelling -> libpq's

tables="$(psql --no-psqlrc -qtA -v ON_ERROR_STOP=1 --dbname="$url" -c \
  "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
if [[ "$tables" != "0" ]]; then
  echo "db-restore: the target database already has $tables table(s); restore into an empty database" >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$file"
echo "db-restore: restored $file"
