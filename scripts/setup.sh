#!/usr/bin/env bash
# Installs what PacketFlux needs on Debian/Ubuntu (only what is missing), then its npm
# packages, then builds. Used by the quick start, the test command and CI.
#   bash scripts/setup.sh [--clean-install]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libpcap-dev libndpi-dev libndpi-bin pkg-config make g++ python3 influxdb tshark tcpdump tcpreplay iproute2 iputils-ping curl victoria-metrics docker-compose chromium)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root apt-get update -q
  # tshark asks whether non-root users may capture; answer for it.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The plugin's Go backend: any Go fetches the toolchain go.mod asks for (GOTOOLCHAIN=auto).
command -v go >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go

command -v node >/dev/null || { echo "setup: Node.js 20.19 or newer is needed (apt-get install nodejs npm, or nodesource)"; exit 1; }
if [ "${1:-}" = "--clean-install" ] || [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
echo "setup: build"
npm run build
