#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) outside the project, for
# the real-VS Code end-to-end test. Works offline from npm and Debian packages only: its ripgrep download is
# answered from a local cache holding Debian's rg. Idempotent; prints the code-server binary's path.
set -euo pipefail

VERSION=4.100.3
HOME_DIR="${CODE_SERVER_HOME:-$HOME/.cache/nginx-tls-proxy/code-server-$VERSION}"
BIN="$HOME_DIR/node_modules/.bin/code-server"

if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

for tool in rg node npm tar; do
  command -v "$tool" >/dev/null || { echo "install-code-server: '$tool' is missing (Debian: apt-get install ripgrep nodejs npm tar)" >&2; exit 1; }
done

mkdir -p "$HOME_DIR"
TMP="${TMPDIR:-/tmp}"
# @vscode/ripgrep looks in this cache before downloading from GitHub (which is unreachable here).
CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
mkdir -p "$CACHE"
if [ ! -f "$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ]; then
  STAGE="$(mktemp -d)"
  cp "$(command -v rg)" "$STAGE/rg"
  tar -czf "$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$STAGE" rg
  rm -rf "$STAGE"
fi

cd "$HOME_DIR"
[ -f package.json ] || echo '{ "name": "code-server-host", "private": true }' > package.json
# As root, code-server's postinstall needs unsafe-perm; node-pty's postinstall runs npx node-gyp.
if ! npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --foreground-scripts \
    "code-server@$VERSION" > "$HOME_DIR/install.log" 2>&1; then
  tail -40 "$HOME_DIR/install.log" >&2
  echo "install-code-server: npm install code-server@$VERSION failed (log: $HOME_DIR/install.log)" >&2
  exit 1
fi
"$BIN" --version >/dev/null || { echo "install-code-server: $BIN does not run" >&2; exit 1; }
echo "$BIN"
