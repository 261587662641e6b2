#!/usr/bin/env bash
# Records samples/sample.pcap, the capture the quick start replays.
#
# Two network namespaces joined by a veth pair (client 10.77.0.1 / fd77::1, server 10.77.0.2 /
# fd77::2); the server namespace runs HTTP, HTTPS (any SNI, certificate made now), a DNS
# responder and an SSH banner (scripts/sample/servers.py); the client namespace looks up,
# fetches and pings well-known names against it (scripts/sample/client.py) while tcpdump
# records the client's veth. No packet leaves the two namespaces. Everything is removed on
# exit, failure included.
#
# Usage: sudo scripts/record-sample.sh [OUTPUT.pcap] [SECONDS]   (default samples/sample.pcap, 40)
# Needs: root, iproute2, tcpdump, python3 (3.10+), openssl, curl, ssh (client only).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/../samples/sample.pcap}"
seconds="${2:-40}"

if [[ $(id -u) -ne 0 ]]; then
  echo "record-sample: needs root (network namespaces, tcpdump)" >&2
  exit 1
fi
for tool in ip tcpdump python3 openssl curl ssh; do
  command -v "$tool" >/dev/null || { echo "record-sample: $tool not found" >&2; exit 1; }
done

ns_client="pfx-sample-c-$$"
ns_server="pfx-sample-s-$$"
veth_client="pfxc$$"
veth_server="pfxs$$"
work="$(mktemp -d)"
pids=()

cleanup() {
  local status=$?
  local pid ns
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  # Anything still running inside our two namespaces was started by this script.
  for ns in "$ns_client" "$ns_server"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -TERM "$pid" 2>/dev/null || true
    done
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  ip netns del "$ns_client" 2>/dev/null || true
  ip netns del "$ns_server" 2>/dev/null || true
  rm -rf "$work"
  if [[ $status -ne 0 ]]; then
    echo "record-sample: failed (exit $status); namespaces removed" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_client() { ip netns exec "$ns_client" "$@"; }
in_server() { ip netns exec "$ns_server" "$@"; }

ip netns add "$ns_client"
ip netns add "$ns_server"
ip link add "$veth_client" type veth peer name "$veth_server"
ip link set "$veth_client" netns "$ns_client"
ip link set "$veth_server" netns "$ns_server"
in_client ip link set lo up
in_server ip link set lo up
in_client ip addr add 10.77.0.1/24 dev "$veth_client"
in_server ip addr add 10.77.0.2/24 dev "$veth_server"
in_client ip addr add fd77::1/64 dev "$veth_client" nodad
in_server ip addr add fd77::2/64 dev "$veth_server" nodad
in_client ip link set "$veth_client" up
in_server ip link set "$veth_server" up

# Self-signed certificate for every name the client asks for.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=packetflux-sample" \
  -addext "subjectAltName=DNS:*.youtube.com,DNS:*.netflix.com,DNS:*.google.com,DNS:*.facebook.com,DNS:github.com,DNS:*.wikipedia.org,DNS:*.instagram.com,DNS:*.spotify.com" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

mkdir -p "$work/www/files"
echo '<html><body>packetflux sample</body></html>' >"$work/www/index.html"
for i in 0 1 2 3; do
  head -c $((20000 + i * 15000)) /dev/zero | tr '\0' 'p' >"$work/www/files/$i.bin"
done

mkdir -p "$(dirname "$out")"
# Started with `ip netns exec` directly (it execs the command), so $! is the process itself.
ip netns exec "$ns_client" tcpdump -i "$veth_client" -Z root -s 0 -U -w "$work/sample.pcap" 2>"$work/tcpdump.log" &
pids+=($!)
ip netns exec "$ns_server" python3 "$here/sample/servers.py" --root "$work/www" --cert "$work/cert.pem" --key "$work/key.pem" \
  --ipv4 10.77.0.2 --ipv6 fd77::2 >"$work/servers.log" 2>&1 &
pids+=($!)

# Wait for the servers and tcpdump.
for _ in $(seq 1 50); do
  if grep -q 'servers ready' "$work/servers.log" 2>/dev/null && grep -q 'listening on' "$work/tcpdump.log" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
grep -q 'servers ready' "$work/servers.log" || { cat "$work/servers.log" >&2; exit 1; }
sleep 0.5

in_client python3 "$here/sample/client.py" --server4 10.77.0.2 --server6 fd77::2 --seconds "$seconds"
sleep 1

# Stop tcpdump first so the file is complete (SIGTERM: background jobs ignore SIGINT), then the servers.
kill -TERM "${pids[0]}"
wait "${pids[0]}" || true
pids=("${pids[@]:1}")
cp "$work/sample.pcap" "$out"
echo "record-sample: wrote $out ($(stat -c %s "$out") bytes)"
