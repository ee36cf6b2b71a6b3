#!/usr/bin/env bash
# `make call`: one 10 s test call to the hotline that `make run` started.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench/call -to "${HOTLINE_CALL_TO:-127.0.0.1:5060}" -seconds 10
