#!/usr/bin/env bash
# Run every check: lint, types, and the whole test suite against real brokers and databases.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
if ! command -v mosquitto >/dev/null && [ ! -x /usr/sbin/mosquitto ]; then
    echo "installing Mosquitto (the tests start their own broker processes)..." >&2
    sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
    $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq mosquitto >/dev/null
fi
if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then
    echo "installing Chromium (the dashboard's browser tests drive it)..." >&2
    sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
    $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq chromium >/dev/null
fi
bash firmware/tools/setup.sh
.venv/bin/ruff check kit tests bench
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
