#!/bin/sh
# Renders Grafana alert-rule templates: every placeholder ${PACKETFLUX_...} or ${PACKETFLUX_...:-default}
# in SRC_DIR/*.yaml becomes the environment variable's value (or the default) in DST_DIR.
#
# Grafana expands $VAR in provisioning files, but not inside a rule query's `model`, where the
# thresholds and metric names are; hence this step. Other `$` text ({{ $labels.x }}, $timeFilter)
# is left alone. Values may only hold letters, digits and . _ : / + - so no value can change the
# YAML around it. POSIX sh + awk: runs in the Grafana image (busybox) and on any Linux host.
#
# usage: render-alert-rules.sh SRC_DIR DST_DIR
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: $0 SRC_DIR DST_DIR" >&2
  exit 2
fi
src=$1
dst=$2
mkdir -p "$dst"

found=0
for template in "$src"/*.yaml; do
  [ -e "$template" ] || continue
  found=1
  out="$dst/$(basename "$template")"
  if ! awk -v file="$template" '
    {
      line = $0
      rendered = ""
      while (match(line, /\$\{PACKETFLUX_[A-Z0-9_]+(:-[^}]*)?\}/)) {
        token = substr(line, RSTART + 2, RLENGTH - 3)
        name = token
        fallback = ""
        has_default = 0
        sep = index(token, ":-")
        if (sep > 0) {
          name = substr(token, 1, sep - 1)
          fallback = substr(token, sep + 2)
          has_default = 1
        }
        value = ENVIRON[name]
        if (value == "") {
          if (!has_default) {
            printf "%s:%d: %s is not set and has no default\n", file, NR, name > "/dev/stderr"
            failed = 1
            exit 1
          }
          value = fallback
        }
        if (value !~ /^[A-Za-z0-9._:\/+-]+$/) {
          printf "%s:%d: %s=\"%s\": only letters, digits and . _ : / + - are allowed\n", file, NR, name, value > "/dev/stderr"
          failed = 1
          exit 1
        }
        rendered = rendered substr(line, 1, RSTART - 1) value
        line = substr(line, RSTART + RLENGTH)
      }
      print rendered line
    }
    END { if (failed) exit 1 }
  ' "$template" >"$out.tmp"; then
    rm -f "$out.tmp"
    exit 1
  fi
  chmod 0644 "$out.tmp"
  mv "$out.tmp" "$out"
  echo "rendered $out"
done

if [ "$found" -eq 0 ]; then
  echo "no *.yaml in $src" >&2
  exit 1
fi
