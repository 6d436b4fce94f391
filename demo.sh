#!/usr/bin/env bash
# Run the simulated classroom: hub, gateway and micro:bits, robots, the shared screen and a
# lesson played by pretend pupils, then the participation report.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
status=0
.venv/bin/kit demo "$@" || status=$?
echo "kit is installed in .venv: 'source .venv/bin/activate', then 'kit --help'." >&2
exit "$status"
