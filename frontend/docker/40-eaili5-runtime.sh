#!/bin/sh
# Writes the EAILI5 web app's runtime files before nginx starts (the nginx image runs every
# /docker-entrypoint.d/*.sh), so one image serves every environment:
#   config.js       window.__EAILI5_CONFIG__ = {apiBaseUrl}  (read by src/lib/config.ts)
#   runtime.conf    nginx maps for the CSP: connect-src (API + WebSocket origins), frame-ancestors
#   farcaster.json  the mini app manifest for /.well-known/farcaster.json
# Environment:
#   EAILI5_API_ORIGIN        e.g. https://base-api.example.com; empty = same origin as the app
#   EAILI5_PUBLIC_URL        the app's own origin, e.g. https://base.example.com (manifest URLs)
#   EAILI5_FRAME_ANCESTORS   CSP frame-ancestors sources (default: Farcaster clients and the Base app)
#   EAILI5_FARCASTER_HEADER, EAILI5_FARCASTER_PAYLOAD, EAILI5_FARCASTER_SIGNATURE
#                            the manifest's accountAssociation (JSON Farcaster Signature for the domain)
#   EAILI5_WEB_RUNTIME_DIR   where to write (default /var/lib/eaili5-web)
# Values are validated, never escaped: a bad value stops the container with a message.
set -eu

out="${EAILI5_WEB_RUNTIME_DIR:-/var/lib/eaili5-web}"
api_origin="${EAILI5_API_ORIGIN:-}"
public_url="${EAILI5_PUBLIC_URL:-http://localhost}"
ancestors="${EAILI5_FRAME_ANCESTORS:-'self' https://farcaster.xyz https://*.farcaster.xyz https://warpcast.com https://*.warpcast.com https://base.app https://*.base.app https://*.base.org}"

fail() {
  echo "eaili5-web: $*" >&2
  exit 1
}

is_origin() {
  printf '%s' "$1" | grep -Eq '^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$'
}

api_origin="${api_origin%/}"
public_url="${public_url%/}"
if [ -n "$api_origin" ] && ! is_origin "$api_origin"; then
  fail "EAILI5_API_ORIGIN must be an origin like https://api.example.com (got '$api_origin')"
fi
is_origin "$public_url" || fail "EAILI5_PUBLIC_URL must be an origin like https://app.example.com (got '$public_url')"
printf '%s' "$ancestors" | grep -Eq "^[A-Za-z0-9 :/*.'_-]+$" \
  || fail "EAILI5_FRAME_ANCESTORS may hold only CSP source expressions"

mkdir -p "$out"

# connect-src: same origin, plus exactly the API origin and its WebSocket twin.
connect_src="'self'"
if [ -n "$api_origin" ]; then
  case "$api_origin" in
    https://*) ws_origin="wss://${api_origin#https://}" ;;
    *) ws_origin="ws://${api_origin#http://}" ;;
  esac
  connect_src="'self' $api_origin $ws_origin"
fi

cat >"$out/config.js" <<JS
// Written at container start by 40-eaili5-runtime.sh.
window.__EAILI5_CONFIG__ = { apiBaseUrl: "$api_origin" };
JS

cat >"$out/runtime.conf" <<CONF
# Written at container start by 40-eaili5-runtime.sh.
map \$host \$eaili5_connect_src {
    default "$connect_src";
}
map \$host \$eaili5_frame_ancestors {
    default "$ancestors";
}
CONF

association=""
header="${EAILI5_FARCASTER_HEADER:-}"
payload="${EAILI5_FARCASTER_PAYLOAD:-}"
signature="${EAILI5_FARCASTER_SIGNATURE:-}"
if [ -n "$header$payload$signature" ]; then
  for part in "$header" "$payload" "$signature"; do
    printf '%s' "$part" | grep -Eq '^[A-Za-z0-9_=+/-]+$' \
      || fail "EAILI5_FARCASTER_HEADER/PAYLOAD/SIGNATURE must all be set, as base64url strings"
  done
  association="\"accountAssociation\": {\"header\": \"$header\", \"payload\": \"$payload\", \"signature\": \"$signature\"},"
else
  echo "eaili5-web: no EAILI5_FARCASTER_* account association; Farcaster clients will not verify the manifest" >&2
fi

cat >"$out/farcaster.json" <<JSON
{
  $association
  "miniapp": {
    "version": "1",
    "name": "EAILI5",
    "subtitle": "Crypto explained like you're 5",
    "description": "An AI tutor that teaches crypto on Base in very simple words: chat, short lessons with quizzes, live tokens and a play-money portfolio.",
    "homeUrl": "$public_url/",
    "iconUrl": "$public_url/miniapp/icon-1024.png",
    "splashImageUrl": "$public_url/miniapp/splash-200.png",
    "splashBackgroundColor": "#f5f6f8",
    "primaryCategory": "education",
    "tags": ["crypto", "learning", "base", "tutor", "education"],
    "ogTitle": "EAILI5 - crypto like you're 5",
    "ogDescription": "Learn crypto on Base in very simple words, with play money.",
    "ogImageUrl": "$public_url/miniapp/og-1200x630.png",
    "noindex": false,
    "requiredChains": ["eip155:8453"]
  }
}
JSON
echo "eaili5-web: runtime config written to $out (API: ${api_origin:-same origin})"
