#!/usr/bin/env bash
# Installs what the unit tests need beyond Node, so that `npm test` works on a fresh Debian 12
# machine by itself (`.ci/run` calls this too):
#   - the project's npm packages (`npm ci`) when node_modules is missing or was installed from
#     another package-lock.json (compared by content: a fresh checkout's newer mtime is not a change);
#   - Debian packages, only those missing:
#       etcd-server, etcd-client   the break-glass tests start their own etcd on 127.0.0.1 and
#                                  check keys with etcdctl (test/unit/helpers/servers.ts)
#       openssh-server, openssl    their own sshd on 127.0.0.1; keys and certificates
#       unzip                      the packaging test unpacks the .vsix
#       bsdutils, util-linux       `script` (a pseudo-terminal for the CLI prompts) and `mount`
#                                  (a small tmpfs for the full-disk journal test); both come with
#                                  Debian, listed for minimal images
# Idempotent: a quick no-op when everything is there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.breakglass-lock-sha256
if [ ! -f node_modules/.package-lock.json ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "install-test-packages: npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_sum" >"$stamp"
fi

packages=(etcd-server etcd-client openssh-server openssl unzip bsdutils util-linux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "install-test-packages: apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
