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
if [ ! -x .venv-ralph/bin/ralph ]; then
    # Ralph (a real xAPI learning record store for the tests) pins older FastAPI/Starlette
    # than kit, so it gets its own venv. ralph-malph 5.1.0's [lrs] extra leaves out
    # 'requests', which its OIDC module imports at start-up, so it is installed beside it.
    echo "installing the Ralph LRS into .venv-ralph (the xAPI tests start it)..." >&2
    python3 -m venv .venv-ralph
    .venv-ralph/bin/python -m pip install -q 'ralph-malph[cli,lrs]==5.1.0' requests >&2
fi
if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then
    echo "installing Chromium (the dashboard and the pupil page are checked in a real browser)..." >&2
    sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
    $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq chromium >/dev/null
fi
bash firmware/tools/setup.sh
.venv/bin/ruff check kit tests bench
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
