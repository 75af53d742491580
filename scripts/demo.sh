#!/usr/bin/env bash
# `make demo`: the sample site on :8000, a local Telegram Bot API server on :8081, and the bot
# reading the site's open data over HTTP. No Telegram account or token needed. Ctrl-C stops all.
set -euo pipefail
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
  echo "usage: make demo [HOST=127.0.0.1] [PORT=8000] [API_PORT=8081]"
  sed -n '2,3p' "$0" | cut -c3-
  exit 0
fi
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
API_PORT=${API_PORT:-8081}
TOKEN=123456:LOCAL-DEMO
for port in "$PORT" "$API_PORT"; do
  if "$BIN/python" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$port" 2>/dev/null; then
    echo "Port $port is already in use: stop what runs there, or choose another (PORT=8001 make demo)." >&2
    exit 1
  fi
done
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM

"$BIN/python" -m http.server --bind "$HOST" --directory build/site "$PORT" >/dev/null 2>&1 &
pids+=($!)
"$BIN/python" -m bot.localapi --host 127.0.0.1 --port "$API_PORT" --token "$TOKEN=civicloop_demo_bot" &
pids+=($!)
"$BIN/python" - "$PORT" "$API_PORT" <<'PY'
import socket, sys, time
for port in map(int, sys.argv[1:]):  # wait until both servers answer
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            time.sleep(0.1)
PY
TELEGRAM_BOT_TOKEN=$TOKEN \
TELEGRAM_API_URL=http://127.0.0.1:$API_PORT \
CIVICLOOP_DATA=http://$HOST:$PORT/data/v1 \
CIVICLOOP_DB=${CIVICLOOP_DB:-var/demo.sqlite3} \
CIVICLOOP_ADMINS=${CIVICLOOP_ADMINS:-9999} \
CIVICLOOP_REFRESH=${CIVICLOOP_REFRESH:-30} \
  "$BIN/python" -m bot &
pids+=($!)

cat <<TXT

  Site:  http://$HOST:$PORT/
  Bot:   running on the local Bot API server at http://127.0.0.1:$API_PORT
  Chat with it as a citizen, in another terminal:
      .venv/bin/python -m bot.console --api http://127.0.0.1:$API_PORT --user 1001 --name Ann
  ... or as an editor (/broadcast, /pollstatus, /stats):
      .venv/bin/python -m bot.console --api http://127.0.0.1:$API_PORT --user 9999 --name Editor
  Ctrl-C stops everything.

TXT
wait -n "${pids[@]}"
