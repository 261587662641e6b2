#!/usr/bin/env bash
# PacketFlux quick start: sets up what is missing, starts InfluxDB (data under .data/), replays
# the bundled sample capture, captures live on the default interface when it may, serves the
# API on port 3001 and tells you what to enter in Grafana. Ctrl-C stops it all and flushes.
#   bash scripts/quickstart.sh            (PACKETFLUX_INFLUX_URL=... to use your own InfluxDB)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
API_PORT=${PACKETFLUX_API_PORT:-3001}
export PACKETFLUX_API_PORT=$API_PORT

bash scripts/setup.sh

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "quickstart: stopping (the collector flushes its last points first)"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null && wait "${pids[$i]}" 2>/dev/null || true
  done
}
trap cleanup INT TERM EXIT

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ -z "${PACKETFLUX_INFLUX_URL:-}" ]; then
  mkdir -p .data/influxdb
  port=8086
  while ! port_free "$port"; do port=$((port + 1)); done
  rpc=$((port + 1000))
  while ! port_free "$rpc"; do rpc=$((rpc + 1)); done
  cat > .data/influxdb/influxdb.conf <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$rpc"
[meta]
  dir = "$ROOT/.data/influxdb/meta"
[data]
  dir = "$ROOT/.data/influxdb/data"
  wal-dir = "$ROOT/.data/influxdb/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$port"
  log-enabled = false
CONF
  # In its own session: Ctrl-C reaches only this script, which stops the collector (it flushes) first.
  setsid influxd -config .data/influxdb/influxdb.conf > .data/influxdb/influxd.log 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -sf "http://127.0.0.1:$port/ping" >/dev/null || { echo "quickstart: influxd did not start, see .data/influxdb/influxd.log"; exit 1; }
  export PACKETFLUX_INFLUX_URL="http://127.0.0.1:$port"
  echo "quickstart: InfluxDB 1.x on $PACKETFLUX_INFLUX_URL, data in .data/influxdb"
fi
if [ -z "${PACKETFLUX_INFLUX_ORG:-}" ]; then export PACKETFLUX_INFLUX_DB=${PACKETFLUX_INFLUX_DB:-packetflux}; fi
export PACKETFLUX_SPOOL_DIR=${PACKETFLUX_SPOOL_DIR:-$ROOT/.data/spool}

packetflux() { node "$ROOT/collector/bin/packetflux.js" "$@"; }
# Long-running services get their own session, so that only the trap above signals them, once.
service() { exec setsid node "$ROOT/collector/bin/packetflux.js" "$@"; }

echo "quickstart: replaying the sample capture samples/sample.pcap"
packetflux replay samples/sample.pcap --interface-name sample

iface=$(ip route show default 2>/dev/null | awk '{print $5; exit}')
iface=${PACKETFLUX_INTERFACE:-${iface:-lo}}
if [ "$(id -u)" -eq 0 ] || getcap "$(readlink -f "$(command -v node)")" 2>/dev/null | grep -q cap_net_raw; then
  echo "quickstart: capturing live on $iface"
  service capture -i "$iface" --api-port "$API_PORT" &
else
  echo "quickstart: NOT capturing live: capturing needs root or CAP_NET_RAW. Run this script with sudo, or once:"
  echo "            sudo setcap cap_net_raw,cap_net_admin+eip $(readlink -f "$(command -v node)")"
  echo "quickstart: serving the sample's data only"
  service serve --api-port "$API_PORT" &
fi
pids+=($!)

for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$API_PORT/api/health" >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<MSG

  PacketFlux is up. In Grafana (13.1 or newer), add a data source:
    type  PacketFlux: copy $ROOT/datasource-plugin/dist to Grafana's plugins folder as
          packetflux-traffic-datasource and allow it unsigned
          (GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=packetflux-traffic-datasource);
          any SimpleJSON/JSON datasource works too
    URL   http://127.0.0.1:$API_PORT
  Try the metrics interface_sample_traffic_bps and interface_sample_allprotocols_bps,
  or ask the API directly:  curl -s -XPOST localhost:$API_PORT/search -d '{"target":"interface_"}' -H 'content-type: application/json'
  InfluxDB: $PACKETFLUX_INFLUX_URL, database ${PACKETFLUX_INFLUX_DB:-?}. Ctrl-C stops everything.

MSG
wait "${pids[@]}"
