#!/usr/bin/env bash
# Installs what the in-editor tests and the playground need:
#   - Debian packages chromium (the UI), ripgrep (VS Code's search; also seeds @vscode/ripgrep),
#     libkrb5-dev (code-server's native `kerberos` module builds against it);
#   - code-server 4.100.3 (VS Code 1.100.3, the last release for Node 20) from the npm registry
#     into .vscode-test/code-server (gitignored), with its own package.json and node_modules.
# Idempotent: a quick no-op when everything is already there.
# usage: scripts/install-code-server.sh            (CODE_SERVER_DIR overrides the folder)
set -euo pipefail

version=4.100.3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${CODE_SERVER_DIR:-$root/.vscode-test/code-server}
marker=$dir/.installed-$version

# --- Debian packages, only those missing -------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
dpkg-query -W -f='${Status}' libkrb5-dev 2>/dev/null | grep -q 'install ok installed' || missing+=(libkrb5-dev)
if ((${#missing[@]})); then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "install-code-server: apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- code-server ---------------------------------------------------------------------------------
if [ -f "$marker" ] && [ -x "$dir/node_modules/.bin/code-server" ]; then
  exit 0
fi
echo "install-code-server: installing code-server $version into $dir"
start=$(date +%s)

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is out of reach: seed its cache
# with Debian's rg under the exact name it looks for.
cache=${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11
mkdir -p "$cache"
tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg

mkdir -p "$dir"
rm -f "$dir"/.installed-*
# A package.json of its own, so that this install never touches the project's dependencies.
# allowScripts: code-server's postinstall installs VS Code's server dependencies, some of them
# native (built from source with node-gyp against the installed Node headers).
cat >"$dir/package.json" <<'JSON'
{
  "name": "breakglass-code-server",
  "private": true,
  "description": "code-server for Breakglass's in-editor tests and playground (installed by scripts/install-code-server.sh)",
  "allowScripts": {
    "code-server": true,
    "argon2": true
  }
}
JSON
cd "$dir"
# nodedir: node-gyp uses the installed headers instead of downloading them; yes: npx never asks;
# unsafe-perm: code-server's postinstall refuses to run as root otherwise.
npm_config_unsafe_perm=true npm_config_nodedir=/usr npm_config_yes=true npm_config_strict_allow_scripts=false \
  npm install --no-fund --no-audit --no-update-notifier "code-server@$version"
"$dir/node_modules/.bin/code-server" --version >/dev/null
touch "$marker"
echo "install-code-server: done in $(($(date +%s) - start)) s"
