#!/usr/bin/env bash
# Start the app exactly as `make run` serves it (embedded mode, throwaway data dir), run the
# browser end-to-end tests against it, then stop it.
set -euo pipefail

if [[ "${1:-}" == "--help" ]]; then
  echo "usage: tools/e2e-with-server.sh   (env: E2E_PORT, E2E_CHROMIUM)"
  exit 0
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
port="${E2E_PORT:-8765}"
data_dir="$(mktemp -d)"
log="$data_dir/server.log"

find_browser() {
  local candidate
  for candidate in "${E2E_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome \
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" \
    "/Applications/Chromium.app/Contents/MacOS/Chromium"; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! browser="$(find_browser)"; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "e2e: no Chromium found; CI must install it (apt-get install chromium)" >&2
    exit 1
  fi
  echo "e2e: SKIPPED — no Chromium or Chrome found. Install one or set E2E_CHROMIUM=/path/to/browser." >&2
  exit 0
fi

# Embedded mode only: unset anything that would switch a backend to production services.
# EAILI5_PUBLIC_URL: wallet sign-in (SIWE) accepts only messages naming the server's own origin.
# Rate limits: every page of the whole suite comes from 127.0.0.1, while the per-IP defaults are sized for one
# person; a fast run passed 300 requests a minute (429 on /api/me). No e2e test is about the limits
# (backend/tests cover them).
env -u DATABASE_URL -u REDIS_URL -u OPENAI_API_KEY -u TAVILY_API_KEY \
  EAILI5_DATA_DIR="$data_dir" EAILI5_ENVIRONMENT=development \
  "$root/backend/.venv/bin/eaili5" migrate >/dev/null
env -u DATABASE_URL -u REDIS_URL -u OPENAI_API_KEY -u TAVILY_API_KEY \
  EAILI5_DATA_DIR="$data_dir" EAILI5_ENVIRONMENT=development EAILI5_LOG_LEVEL=WARNING \
  EAILI5_PUBLIC_URL="http://127.0.0.1:$port" \
  EAILI5_RATE_LIMIT_DEFAULT=3000/minute EAILI5_RATE_LIMIT_SESSION_CREATE=200/minute \
  "$root/backend/.venv/bin/eaili5" serve --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
server_pid=$!
stop_server() {
  local status=$?
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true  # 143 is the server obeying our SIGTERM, not a failure
  rm -rf "$data_dir"
  exit "$status"
}
trap stop_server EXIT

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$log" >&2; echo "e2e: server died" >&2; exit 1; fi
  sleep 0.2
done

cd "$root/frontend"
E2E_BASE_URL="http://127.0.0.1:$port" E2E_CHROMIUM="$browser" npm run --silent test:e2e
