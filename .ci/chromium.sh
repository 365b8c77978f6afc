#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests. Test tools
# never download a browser of their own; this is the only way one arrives.
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then exit 0; fi
done
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: not installed, and this is not a Debian machine run as root. Install it with:
    sudo apt-get install -y chromium
then run this command again." >&2
  exit 1
fi
echo "chromium: installing Debian's chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
