#!/usr/bin/env bash
# Installs the peers' Python bindings in a private venv (PyPI only) and runs bench/peers.py.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${PEERS_VENV:-$here/../target/peers-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q zxing-cpp pillow
exec "$venv/bin/python" "$here/peers.py" "$@"
