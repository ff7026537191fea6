#!/usr/bin/env bash
# Refreshes the vendored front-end files in src/xinqu/static/vendor/ from the npm registry.
# The app never loads assets from a CDN: a zone's network may be offline.
# Usage: scripts/vendor-static.sh   (needs npm; bump the versions below deliberately)
set -euo pipefail
HTMX=2.0.11
TABLER=1.6.1
ECHARTS=6.1.0
dest="$(cd "$(dirname "$0")/.." && pwd)/src/xinqu/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fetch() { npm pack --silent "$1" >/dev/null; mkdir -p "$2"; tar xzf ./*.tgz -C "$2"; rm ./*.tgz; }
fetch "htmx.org@$HTMX" htmx
fetch "@tabler/core@$TABLER" tabler
fetch "echarts@$ECHARTS" echarts
rm -rf "$dest"
mkdir -p "$dest/htmx" "$dest/tabler/css" "$dest/tabler/js" "$dest/echarts"
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$dest/htmx/"
cp tabler/package/dist/css/tabler.min.css "$dest/tabler/css/"
cp tabler/package/dist/js/tabler.min.js "$dest/tabler/js/"
cp tabler/package/package.json "$dest/tabler/"  # MIT, per its package.json
cp echarts/package/dist/echarts.min.js echarts/package/LICENSE "$dest/echarts/"
printf 'htmx.org %s\n@tabler/core %s\necharts %s\n' "$HTMX" "$TABLER" "$ECHARTS" > "$dest/VERSIONS"
echo "vendored into $dest"
