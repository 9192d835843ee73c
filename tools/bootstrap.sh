#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install dezsim into it (editable).
# Usage: bash tools/bootstrap.sh [EXTRAS]      e.g. `bash tools/bootstrap.sh test` (also installs Chromium)
# Mesa 3.5 needs Python >= 3.12; many images still default to 3.11, so we look further than `python3`.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"

is_ok() {  # $1: interpreter; true when it runs and is >= 3.12
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local c
    for c in "${DEZSIM_PYTHON:-}" python3.14 python3.13 python3.12 python3 python; do
        [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && is_ok "$c" && { command -v "$c"; return; }
    done
    # pyenv shims refuse versions that are installed but not selected: ask pyenv's folders directly.
    local root="${PYENV_ROOT:-$HOME/.pyenv}"
    for c in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
        is_ok "$c" && { echo "$c"; return; }
    done
    return 1
}

if [ ! -x .venv/bin/python ] || ! is_ok .venv/bin/python; then
    py=$(find_python) || {
        echo "dezsim needs Python >= 3.12 (Mesa 3.5 requires it) and none was found." >&2
        echo "Install one (e.g. 'pyenv install 3.12') or point DEZSIM_PYTHON at it." >&2
        exit 1
    }
    echo "Creating .venv with $py ($("$py" -V 2>&1))" >&2
    rm -rf .venv
    "$py" -m venv .venv
fi
spec="."
[ -n "$extras" ] && spec=".[$extras]"
# A pip configuration may list local index folders that do not exist on this machine; pip then warns once per
# package ("Location ... is ignored"). That says nothing about dezsim, so only that notice is dropped; pip's exit
# status and every other line stay.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec" 2> >(
    grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$" >&2 || true)

# The test suite drives the dashboard in the distribution's Chromium (never a downloaded browser): install it
# with the system's package manager when we may (root with apt-get), else say how.
if [[ ",$extras," == *",test,"* ]] && ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Chromium for the dashboard's browser test (apt-get)" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "note: the dashboard's browser test needs Chromium (e.g. 'sudo apt-get install chromium'); without it" \
             "that one test is skipped" >&2
    fi
fi
