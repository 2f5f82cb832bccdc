#!/usr/bin/env bash
# Fails when a committed generated file (views/*_templ.go, static/css/app.css)
# differs from what its sources produce now. Generates into a temporary copy, so
# the work tree is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
stale=0

mkdir -p "$tmp/views"
cp views/*.templ "$tmp/views/"
go tool templ generate -path "$tmp/views" >"$tmp/templ.log" 2>&1 || { cat "$tmp/templ.log"; exit 1; }
for g in "$tmp"/views/*_templ.go; do
  name=$(basename "$g")
  if ! cmp -s "$g" "views/$name"; then echo "stale: views/$name (run make generate)"; stale=1; fi
done
for g in views/*_templ.go; do
  [ -f "$tmp/views/$(basename "$g")" ] || { echo "orphan: $g has no .templ source"; stale=1; }
done

npx tailwindcss -i static/css/input.css -o "$tmp/app.css" --minify >/dev/null 2>&1
cmp -s "$tmp/app.css" static/css/app.css || { echo "stale: static/css/app.css (run make css)"; stale=1; }
exit $stale
