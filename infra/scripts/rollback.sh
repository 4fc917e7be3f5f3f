#!/usr/bin/env bash
# Route 100% of a Cloud Run service's traffic back to an earlier revision.
#   infra/scripts/rollback.sh SERVICE [REVISION]
#     SERVICE   eaili5-base-backend or eaili5-base-frontend
#     REVISION  the revision to serve; default: the newest ready revision older than the one serving now
# Environment: REGION (default us-central1). Prints the commands it runs; needs gcloud, authenticated.
# Database migrations are not reversed: every migration is backward compatible with the previous release
# (docs/operations.md, Rollback).
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac

service="$1"
target="${2:-}"
region="${REGION:-us-central1}"

# The revision with the largest share of traffic now.
serving="$(gcloud run services describe "$service" --region "$region" --format=json | python3 -c '
import json, sys
targets = [t for t in json.load(sys.stdin).get("status", {}).get("traffic", []) if t.get("percent")]
print(max(targets, key=lambda t: t["percent"])["revisionName"] if targets else "")')"

if [[ -z "$target" ]]; then
  # Newest first; pick the first ready revision created before the serving one.
  target="$(gcloud run revisions list --service "$service" --region "$region" \
      --sort-by='~metadata.creationTimestamp' --format='value(metadata.name,status.conditions[0].status)' \
    | awk -v serving="$serving" '
        seen && $2 == "True" { print $1; exit }
        $1 == serving { seen = 1 }')"
  if [[ -z "$target" ]]; then
    echo "rollback: no ready revision older than $serving" >&2
    exit 1
  fi
fi

if [[ "$target" == "$serving" ]]; then
  echo "rollback: $target already serves $service"
  exit 0
fi

echo "rollback: $service: $serving -> $target (100%)"
set -x
gcloud run services update-traffic "$service" --region "$region" --to-revisions "$target=100"
