#!/usr/bin/env bash
# Moves a Cloud Run service to a new revision safely; used by infra/cloudbuild/*.yaml.
#   release.sh check   SERVICE TAG PATH   wait until https://TAG---SERVICE.../PATH answers 2xx, or fail
#   release.sh canary  SERVICE TAG PATH   give the tagged revision CANARY_PERCENT of traffic, watch it for
#                                         CANARY_SECONDS; if it fails, restore the previous split and fail
#   release.sh promote SERVICE TAG        send 100% of traffic to the tagged revision
# Environment: REGION (required), DEADLINE_SECONDS (check, default 180), CANARY_PERCENT (default 10),
# CANARY_SECONDS (default 120). A failed check leaves all traffic where it was.
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; }

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" || $# -lt 3 ]]; then
  usage
  [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]] && exit 0
  exit 2
fi

command="$1" service="$2" tag="$3" path="${4:-/readyz}"
region="${REGION:?set REGION}"

log() { printf 'release: %s\n' "$*" >&2; }

describe() { gcloud run services describe "$service" --region "$region" --format=json; }

# URL of the tagged revision (https://TAG---SERVICE-HASH.REGION.run.app).
tag_url() {
  describe | python3 -c '
import json, sys
tag = sys.argv[1]
for target in json.load(sys.stdin).get("status", {}).get("traffic", []):
    if target.get("tag") == tag and target.get("url"):
        print(target["url"]); break
else:
    sys.exit(f"no traffic target tagged {tag!r}")' "$tag"
}

# The current split as REV=PERCENT,REV=PERCENT (revisions with traffic only).
current_split() {
  describe | python3 -c '
import json, sys
traffic = json.load(sys.stdin).get("status", {}).get("traffic", [])
parts = ["%s=%s" % (t["revisionName"], t["percent"]) for t in traffic if t.get("percent") and t.get("revisionName")]
print(",".join(parts))'
}

healthy_once() { curl -fsS --max-time 5 -o /dev/null "$1"; }

wait_healthy() {
  local url="$1" deadline=$((SECONDS + ${DEADLINE_SECONDS:-180}))
  until healthy_once "$url"; do
    if ((SECONDS >= deadline)); then
      log "$url did not answer 2xx within ${DEADLINE_SECONDS:-180} s; traffic unchanged"
      return 1
    fi
    sleep 5
  done
  log "$url is healthy"
}

case "$command" in
  check)
    wait_healthy "$(tag_url)$path"
    ;;
  canary)
    url="$(tag_url)$path"
    previous="$(current_split)"
    log "previous split: $previous"
    gcloud run services update-traffic "$service" --region "$region" --to-tags "$tag=${CANARY_PERCENT:-10}"
    end=$((SECONDS + ${CANARY_SECONDS:-120}))
    while ((SECONDS < end)); do
      if ! healthy_once "$url"; then
        log "canary failed its health check; restoring $previous"
        gcloud run services update-traffic "$service" --region "$region" --to-revisions "$previous"
        exit 1
      fi
      sleep 10
    done
    log "canary healthy for ${CANARY_SECONDS:-120} s"
    ;;
  promote)
    gcloud run services update-traffic "$service" --region "$region" --to-tags "$tag=100"
    ;;
  *)
    usage
    exit 2
    ;;
esac
