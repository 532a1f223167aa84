#!/usr/bin/env bash
# Installs the peers in a private venv (PyPI: zxing-cpp, pyzbar, pillow, numpy; Debian:
# libzbar0 for pyzbar) and runs bench/peers.py with the given arguments.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${PEERS_VENV:-$here/../target/peers-venv}"
if ! python3 -c 'import ctypes.util, sys; sys.exit(ctypes.util.find_library("zbar") is None)'; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq libzbar0
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq libzbar0
    fi
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q zxing-cpp pyzbar pillow numpy
exec "$venv/bin/python" "$here/peers.py" "$@"
