#!/usr/bin/env bash
# Runs the real `packetflux replay` of every L7 test capture under valgrind and fails when a
# report involves the nDPI addon or libndpi (node's own noise is ignored).
#   bash collector/scripts/valgrind-replay.sh [FILE.pcap ...]
set -euo pipefail
cd "$(dirname "$0")/.."
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(testdata/l7/*.pcap)
log=$(mktemp)
status=0
for f in "${files[@]}"; do
  valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --log-file="$log" node bin/packetflux.js replay "$f" --json >/dev/null
  # A report block is the lines between blank lines; keep those naming our code or libndpi.
  ours=$(awk -v RS= '/packetflux_ndpi|libndpi/' "$log")
  summary=$(grep -E "ERROR SUMMARY|definitely lost|indirectly lost" "$log" | sed 's/^==[0-9]*== //' | tr '\n' ' ')
  if [ -n "$ours" ]; then
    echo "$f: valgrind reports in the nDPI addon or libndpi:"
    echo "$ours"
    status=1
  else
    echo "$f: nothing in the addon or libndpi (whole process: $summary)"
  fi
done
rm -f "$log"
exit $status
