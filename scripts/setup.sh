#!/usr/bin/env bash
# Fresh machine → a working ./lake and everything `bun test` needs. Idempotent: each step
# is skipped when already satisfied. Needs Node/npm and apt (root, or sudo for apt).
#
#   ./scripts/setup.sh            # Bun (from npm) · nats-server, chromium (apt) · bun install · bun run build
#
# Environment: LAKE_SETUP_SKIP_APT=1 skips the apt step (nats-server then must be on PATH).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUN_VERSION="1.4.5" # the version bun.lock and the code are tested with

if [ -t 1 ]; then say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }; else say() { printf 'setup: %s\n' "$*"; }; fi
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@" || die "need root for: $* (run as root or allow sudo)"
  else die "need root for: $* (run as root or install sudo)"
  fi
}

# ── 1. Bun ───────────────────────────────────────────────────────────────────
# npm ≥ 11 blocks install scripts unless allowed; the bun package's postinstall is what
# puts the real binary in place, so allow it for that one package.
if ! command -v bun >/dev/null 2>&1; then
  command -v npm >/dev/null 2>&1 || die "neither bun nor npm found: install Node.js/npm first (apt-get install nodejs npm)"
  say "installing bun@${BUN_VERSION} from npm"
  install_bun=(npm install -g --no-fund --no-audit --allow-scripts=bun "bun@${BUN_VERSION}")
  if [ -w "$(npm prefix -g)" ]; then "${install_bun[@]}"; else as_root "${install_bun[@]}"; fi
  NPM_BIN="$(npm prefix -g)/bin"
  case ":$PATH:" in *":$NPM_BIN:"*) ;; *) export PATH="$NPM_BIN:$PATH"; say "add $NPM_BIN to your PATH to use bun";; esac
fi
bun --version >/dev/null 2>&1 || die "bun is installed but does not run ($(command -v bun)); reinstall with: npm install -g --allow-scripts=bun bun@${BUN_VERSION}"
say "bun $(bun --version) at $(command -v bun)"

# ── 2. nats-server (the tests start private servers; `lake demo` too) ─────────
if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
  if [ "${LAKE_SETUP_SKIP_APT:-}" = 1 ]; then die "nats-server not found and LAKE_SETUP_SKIP_APT=1"; fi
  command -v apt-get >/dev/null 2>&1 || die "nats-server not found and no apt-get: install nats-server (https://nats.io) and re-run"
  say "installing nats-server with apt"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq nats-server </dev/null
fi
if ! command -v nats-server >/dev/null 2>&1; then
  # Debian puts it in /usr/sbin, which is not on every user's PATH.
  [ -x /usr/sbin/nats-server ] && say "nats-server is /usr/sbin/nats-server: add /usr/sbin to PATH" || die "nats-server installation failed"
else
  say "nats-server at $(command -v nats-server)"
fi

# ── 2b. chromium (the report test renders `lake report` pages in headless Chromium) ──
if ! command -v chromium >/dev/null 2>&1; then
  if [ "${LAKE_SETUP_SKIP_APT:-}" = 1 ]; then die "chromium not found and LAKE_SETUP_SKIP_APT=1"; fi
  command -v apt-get >/dev/null 2>&1 || die "chromium not found and no apt-get: install Chromium and re-run"
  say "installing chromium with apt"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq chromium </dev/null
fi
command -v chromium >/dev/null 2>&1 && say "chromium at $(command -v chromium)" || die "chromium installation failed"

# ── 3. Dependencies, exactly as locked ───────────────────────────────────────
say "bun install --frozen-lockfile"
bun install --frozen-lockfile

# ── 4. The binary ────────────────────────────────────────────────────────────
say "bun run build"
bun run build
./lake --version >/dev/null || die "./lake was built but does not run"
say "done: ./lake $(./lake --version) — try ./lake --help, then run the tests with: bun test"
