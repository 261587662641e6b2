#!/usr/bin/env bash
# Builds the Go backend into dist/ for the platforms Grafana's Linux packages and images run on:
# dist/<executable>_linux_amd64 and dist/<executable>_linux_arm64, <executable> read from
# src/plugin.json. Static (CGO off), stripped, reproducible paths. Extra GOOS/GOARCH pairs can be
# given as arguments, e.g. `scripts/build-backend.sh darwin/arm64`.
set -euo pipefail
cd "$(dirname "$0")/.."

executable=$(node -p "require('./src/plugin.json').executable")
targets=("linux/amd64" "linux/arm64" "$@")

mkdir -p dist
for target in "${targets[@]}"; do
  goos=${target%/*}
  goarch=${target#*/}
  out="dist/${executable}_${goos}_${goarch}"
  [[ $goos == windows ]] && out+=".exe"
  echo "go build ${out}"
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath \
    -ldflags "-s -w" -o "$out" ./pkg
done
