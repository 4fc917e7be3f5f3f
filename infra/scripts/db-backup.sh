#!/usr/bin/env bash
# Back up a self-hosted PostgreSQL database with pg_dump (custom format, compressed, restorable with
# db-restore.sh or pg_restore). Cloud SQL has its own daily backups: see docs/operations.md.
#   infra/scripts/db-backup.sh [--output FILE] [DATABASE_URL]
#     DATABASE_URL  postgresql://user:pass@host:5432/db (also postgres:// and postgresql+asyncpg://);
#                   default: $DATABASE_URL
#     --output      the dump file; default eaili5-<UTC time>.dump in the current directory
# Prints the file's path when the dump is complete and readable.
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }

output=""
url=""
while (($#)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    -o | --output) output="${2:?--output needs a file}"; shift 2 ;;
    -*) echo "db-backup: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) url="$1"; shift ;;
  esac
done
url="${url:-${DATABASE_URL:-}}"
if [[ -z "$url" ]]; then
  echo "db-backup: give DATABASE_URL as an argument or in the environment" >&2
  exit 2
fi
# The app's driver prefixes are not libpq's.
url="${url/#postgresql+asyncpg:\/\//postgresql://}"
url="${url/#postgres:\/\//postgresql://}"
url="${url/ssl=require/sslmode=require}"  # asyncpg's spelling -> libpq's
output="${output:-eaili5-$(date -u +%Y%m%dT%H%M%SZ).dump}"

partial="$output.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial" --dbname="$url"
# A dump that pg_restore cannot list is not a backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$output"
echo "$output"
