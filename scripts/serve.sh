#!/usr/bin/env bash
# Install everything, then serve on http://127.0.0.1:8765. The shipped knowledge is ingested on the
# first start (from the bundled embedding cache: seconds, not minutes) and reused afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh .
exec .venv/bin/bot serve "$@"
