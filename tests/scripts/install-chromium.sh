#!/usr/bin/env bash
# Installs Chromium from Debian's packages for the end-to-end test of the HTML report
# (tests/report.rs opens it in headless Chromium). Does nothing when /usr/bin/chromium exists.
# Needs root (CI runs as root) and access to the Debian mirrors.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "error: /usr/bin/chromium is missing and installing it needs root;" >&2
  echo "       run as root, or: sudo apt-get install --no-install-recommends chromium" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: /usr/bin/chromium is missing and apt-get is not available (not Debian?);" >&2
  echo "       install Chromium so that /usr/bin/chromium exists" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium

if [ ! -x /usr/bin/chromium ]; then
  echo "error: apt-get installed chromium but /usr/bin/chromium is still missing" >&2
  exit 1
fi
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
