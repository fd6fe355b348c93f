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
# allowScripts: argon2 is built from source with node-gyp against the installed Node headers, and
# so are some of VS Code's server dependencies installed below.
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
# nodedir: node-gyp uses the installed headers instead of downloading them; yes: npx never asks.
export npm_config_nodedir=/usr npm_config_yes=true
# code-server's own postinstall (postinstall.sh) refuses to run as root unless npm_config_unsafe_perm
# is "true", a setting of npm 6 that npm 7 and later no longer know: npm 11 warns `Unknown env
# config "unsafe-perm"` for it, and for the `--unsafe-perm` its postinstall passes on. So the
# package is installed without its scripts, argon2 (a native module, built from source with
# node-gyp) is built with `npm rebuild`, and the rest of code-server 4.100.3's postinstall.sh
# (vscode_install) runs here: VS Code's server dependencies and its extensions' dependencies, and
# the links it makes.
# Their output goes to a log, shown when a step fails, as npm does with a dependency's scripts.
npm install --ignore-scripts --no-fund --no-audit --no-update-notifier "code-server@$version"
log=$dir/install.log
: >"$log"
quiet() {
  (cd "$1" && shift && "$@") >>"$log" 2>&1 || {
    tail -n 40 "$log" >&2
    echo "install-code-server: \`${*:2}\` in $1 failed; the whole log: $log" >&2
    exit 1
  }
}
vscode=$dir/node_modules/code-server/lib/vscode
quiet "$dir" npm rebuild --no-fund --no-audit --no-update-notifier argon2
quiet "$vscode" npm install --omit=dev --no-fund --no-audit --no-update-notifier
ln -sfn node_modules "$vscode/node_modules.asar"
ln -sfn code-linux.sh "$vscode/bin/remote-cli/code-server"
ln -sfn browser-linux.sh "$vscode/bin/helpers/browser.sh"
quiet "$vscode/extensions" npm install --omit=dev --no-fund --no-audit --no-update-notifier
"$dir/node_modules/.bin/code-server" --version >/dev/null
touch "$marker"
echo "install-code-server: done in $(($(date +%s) - start)) s"
