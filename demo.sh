#!/usr/bin/env bash
# Run the simulated classroom: hub, simulated stations, then the participation report.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
exec .venv/bin/kit demo "$@"
