#!/bin/sh
# Writes the EAILI5 web app's runtime files before nginx starts (the nginx image runs every
# /docker-entrypoint.d/*.sh), so one image serves every environment:
#   config.js       window.__EAILI5_CONFIG__ = {apiBaseUrl, walletConnectProjectId}  (read by src/lib/config.ts)
#   runtime.conf    nginx maps: the CSP's connect-src (API + WebSocket origins) and frame-ancestors, the
#                   API origin (/.well-known/farcaster.json is proxied to the backend, the manifest's one
#                   source of truth), a DNS resolver for that proxy, and the fc:miniapp embed tag that
#                   nginx adds to every page's <head> (as the backend does in the embedded mode)
# Environment:
#   EAILI5_API_ORIGIN        e.g. https://base-api.example.com; empty = same origin as the app
#   EAILI5_PUBLIC_URL        the app's own origin, e.g. https://base.example.com (embed URLs)
#   EAILI5_FRAME_ANCESTORS   CSP frame-ancestors sources (default: Farcaster clients and the Base app)
#   EAILI5_CONNECT_SRC_EXTRA more connect-src origins, space-separated (e.g. a wallet relay); default none
#   WALLETCONNECT_PROJECT_ID WalletConnect Cloud project id (32 hex; EAILI5_ prefix accepted): the sign-in then
#                            offers WalletConnect, and connect-src gains WalletConnect's relay and API origins
#   EAILI5_MINIAPP_NAME, EAILI5_MINIAPP_BUTTON_TITLE, EAILI5_MINIAPP_SPLASH_BACKGROUND_COLOR
#                            the embed's texts (defaults: the backend's settings defaults)
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
wc_project_id="${WALLETCONNECT_PROJECT_ID:-${EAILI5_WALLETCONNECT_PROJECT_ID:-}}"
if [ -n "$wc_project_id" ]; then
  printf '%s' "$wc_project_id" | grep -Eq '^[0-9a-fA-F]{32}$' \
    || fail "WALLETCONNECT_PROJECT_ID must be a WalletConnect project id (32 hex characters)"
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
# WalletConnect's relay (the wallet session), RPC, and the QR modal's wallet list (docs.reown.com CSP guide).
if [ -n "$wc_project_id" ]; then
  connect_src="$connect_src wss://relay.walletconnect.org wss://relay.walletconnect.com https://rpc.walletconnect.org"
  connect_src="$connect_src https://rpc.walletconnect.com https://pulse.walletconnect.org https://api.web3modal.org"
  connect_src="$connect_src https://keys.walletconnect.org"
fi
for origin in ${EAILI5_CONNECT_SRC_EXTRA:-}; do
  printf '%s' "$origin" | grep -Eq '^(https|wss)://[A-Za-z0-9*.-]+(:[0-9]{1,5})?$' \
    || fail "EAILI5_CONNECT_SRC_EXTRA takes https:// or wss:// origins (got '$origin')"
  connect_src="$connect_src $origin"
done

cat >"$out/config.js" <<JS
// Written at container start by 40-eaili5-runtime.sh.
window.__EAILI5_CONFIG__ = { apiBaseUrl: "$api_origin", walletConnectProjectId: "$wc_project_id" };
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

# The fc:miniapp embed, shaped as eaili5.auth.manifest.embed() builds it.
name="${EAILI5_MINIAPP_NAME:-EAILI5}"
button="${EAILI5_MINIAPP_BUTTON_TITLE:-Start learning}"
splash_color="${EAILI5_MINIAPP_SPLASH_BACKGROUND_COLOR:-#0b1020}"
for text in "$name" "$button"; do
  printf '%s' "$text" | grep -Eq '^[A-Za-z0-9 .,!?-]{1,32}$' || fail "mini app name and button title: 1-32 plain characters"
done
printf '%s' "$splash_color" | grep -Eq '^#[0-9a-fA-F]{6}$' || fail "EAILI5_MINIAPP_SPLASH_BACKGROUND_COLOR must be #rrggbb"
q='&quot;'
embed="{${q}version${q}:${q}1${q},${q}imageUrl${q}:${q}$public_url/miniapp/embed-1200x800.png${q},"
embed="$embed${q}button${q}:{${q}title${q}:${q}$button${q},${q}action${q}:{${q}type${q}:${q}launch_miniapp${q},"
embed="$embed${q}name${q}:${q}$name${q},${q}url${q}:${q}$public_url/${q},"
embed="$embed${q}splashImageUrl${q}:${q}$public_url/miniapp/splash-200.png${q},"
embed="$embed${q}splashBackgroundColor${q}:${q}$splash_color${q}}}}"

# nginx resolves the API host at request time (proxy_pass with a variable) with the container's DNS.
resolver="$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null || true)"
case "$resolver" in
  *:*) resolver="[$resolver]" ;;
  "") resolver="127.0.0.11" ;;
esac

cat >>"$out/runtime.conf" <<CONF
map \$host \$eaili5_api_origin {
    default "$api_origin";
}
map \$host \$eaili5_embed_meta {
    default '<meta name="fc:miniapp" content="$embed" />';
}
resolver $resolver valid=60s ipv6=off;
CONF

echo "eaili5-web: runtime config written to $out (API: ${api_origin:-same origin})"
