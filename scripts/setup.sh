# Sourced by demo.sh and test.sh: make .venv and install kit into it, once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.kit-installed"
if [ ! -x "$venv/bin/python" ]; then
    echo "setting up $venv (first run only)..." >&2
    python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
    "$venv/bin/python" -m pip install -q --upgrade pip >&2
    # setuptools warns, in a box of "!!", that an editable install can be shadowed by a
    # folder of the same name: that folder is kit itself. A first set-up prints nothing else.
    PYTHONWARNINGS=ignore "$venv/bin/python" -m pip install -q -e "$root[dev]" >&2
    touch "$stamp"
fi
