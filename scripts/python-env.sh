#!/usr/bin/env bash
# Makes (once) a Python virtualenv holding the official Twilio SDK, for tests that check our
# protocol code against it, and prints the venv's python path on the LAST line of stdout.
#
#   py="$(scripts/python-env.sh | tail -n 1)"
#
# Idempotent and quick when already installed (one `import twilio`). Everything else goes to
# stderr. The venv lives at <workspace>/target/pyenv (override with SWITCHBOARD_PYENV), so
# `cargo clean` removes it. Concurrent callers (parallel test binaries) wait on a lock.
# Exits non-zero with a message when python3, venv or pip is unavailable.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${SWITCHBOARD_PYENV:-$root/target/pyenv}"
py="$venv/bin/python"
# The SDK major version we check against; bump deliberately.
requirement="twilio>=9,<10"

ready() {
    [ -x "$py" ] && "$py" -c "import twilio.request_validator" >/dev/null 2>&1
}

if ready; then
    echo "$py"
    exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
    echo "python-env.sh: python3 is not installed (apt-get install python3 python3-venv)" >&2
    exit 1
fi

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9

# Another caller may have finished while we waited for the lock.
if ready; then
    echo "$py"
    exit 0
fi

echo "python-env.sh: creating $venv with $requirement" >&2
if ! python3 -m venv --clear "$venv" >&2; then
    echo "python-env.sh: 'python3 -m venv' failed (apt-get install python3-venv)" >&2
    exit 1
fi
if ! "$py" -m pip install --quiet --disable-pip-version-check "$requirement" >&2; then
    echo "python-env.sh: 'pip install $requirement' failed (is PyPI reachable?)" >&2
    exit 1
fi
if ! ready; then
    echo "python-env.sh: twilio installed but 'import twilio' still fails" >&2
    exit 1
fi
echo "$py"
