#!/usr/bin/env bash
# Start or stop the SeaweedFS (S3-compatible) server the S3 tests use: loopback only,
# credentials on (so a wrong secret is rejected), a throw-away data folder in .run/.
#   tests/s3server.sh start|stop      (S3_PORT, S3_BUCKET, S3_KEY, S3_SECRET from make)
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PORT=${S3_PORT:-8333}
DIR=.run/seaweedfs
PIDFILE=.run/seaweedfs.pid

port_open() { "$BIN/python" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; }
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  if running; then echo "s3: SeaweedFS already running (pid $(cat "$PIDFILE"))"; return 0; fi
  if port_open; then
    echo "s3: port $PORT is already in use; free it or run with S3_PORT=<port>" >&2; return 1
  fi
  mkdir -p "$DIR"
  (cd "$DIR" && exec env AWS_ACCESS_KEY_ID="$S3_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET" \
     S3_BUCKET="$S3_BUCKET" "../../$BIN/weed" mini -dir=. -ip=127.0.0.1 -ip.bind=127.0.0.1 \
     -s3.port="$PORT") > .run/seaweedfs.log 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 120); do
    if port_open && AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID="$S3_KEY" \
        AWS_SECRET_ACCESS_KEY="$S3_SECRET" "$BIN/python" -c \
        "import boto3; boto3.client('s3', region_name='us-east-1').head_bucket(Bucket='$S3_BUCKET')" \
        2>/dev/null; then
      echo "s3: SeaweedFS ready on 127.0.0.1:$PORT"; return 0
    fi
    running || break
    sleep 0.5
  done
  echo "s3: SeaweedFS did not start; see .run/seaweedfs.log" >&2
  stop; return 1
}

# weed mini ignores SIGTERM: ask, give it a moment, then kill (its data is throw-away).
stop() {
  if [ -f "$PIDFILE" ]; then
    pid=$(cat "$PIDFILE")
    kill "$pid" 2>/dev/null
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null
    rm -f "$PIDFILE"
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
