#!/usr/bin/env bash
# Shared set-up for scripts/test and scripts/demo: Debian packages, a virtualenv, the project.
# Idempotent: a second run installs nothing new.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${BIDCLIENT_VENV:-$ROOT/.venv}"
DEBIAN_PACKAGES=(softhsm2 opensc p11-kit poppler-utils unzip jq openssl python3-venv postgresql libnss3-tools xvfb
                 gettext time
                 nginx-light  # the load balancer of tests/server/test_two_instances.py (docs/deploy-cluster.md)
                 # Qt's X11 platform plugin, for the desktop app on a display:
                 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1
                 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3)

need_packages=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_packages+=("$pkg")
done
if ((${#need_packages[@]})); then
    echo "bootstrap: installing Debian packages: ${need_packages[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating virtualenv $VENV" >&2
    python3 -m venv "$VENV"
fi
STAMP="$VENV/.bidclient-installed"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    echo "bootstrap: installing bidclient and its dependencies into $VENV" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip >/dev/null
    "$VENV/bin/pip" install -q --disable-pip-version-check -e "$ROOT[dev,server,ui]"
    touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
