#!/usr/bin/env bash
# Installs Debian's Chromium for the end-to-end tests when it is missing, then prints its path.
# (Playwright's own browser download cannot work here; the tests drive this one via executablePath.)
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ ! -x $CHROMIUM ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Chromium is missing: install it with 'sudo apt-get install chromium'." >&2
    exit 1
  fi
  echo "Installing Debian's chromium…" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

echo "$CHROMIUM"
