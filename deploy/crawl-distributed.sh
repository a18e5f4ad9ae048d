#!/usr/bin/env bash
# Distributed crawl on one machine: for each source in $SOURCES, put its seeds on the
# shared frontier in Redis ($REDIS_URL) and run $WORKERS workers against it; each
# exits when the frontier has been empty for NEWSARCHIVE_IDLE_EXIT seconds. Used by
# `make crawl-distributed WORKERS=N`. On several machines, run `scrapy seed <source>`
# once and `scrapy crawl <source>` on each machine instead (see the README).
#
# Exit status: the highest status any worker returned (0 if all finished).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
WORKERS=${WORKERS:-2}
if [ "${REPLAY:-0}" = "1" ]; then
  SOURCES=${SOURCES:-xinhua cgtn chinadaily chinaorgcn ecns copysite}
else
  SOURCES=${SOURCES:-xinhua cgtn chinadaily chinaorgcn ecns}
fi
: "${REDIS_URL:?set REDIS_URL (redis://host:port/db); make redis-start runs one on loopback}"
ARCHIVE_URI=${ARCHIVE_URI:-archive}
SPOOL=${NEWSARCHIVE_SPOOL:-.spool}
export ARCHIVE_URI REDIS_URL SCRAPY_SETTINGS_MODULE=settings.distributed
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p .run
. deploy/replay-env.sh
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; stop_replay; wait 2>/dev/null; true; }
trap cleanup EXIT INT TERM
[ "${REPLAY:-0}" = "1" ] && start_replay

worst=0
for source in $SOURCES; do
  "$BIN/scrapy" seed "$source" || { worst=1; continue; }
  pids=()
  t0=$(date +%s.%N)
  for i in $(seq "$WORKERS"); do
    # A spool per worker slot: a restarted slot repairs and uploads what a killed
    # worker of that slot left behind.
    log=".run/crawl-$source-w$i.log"
    NEWSARCHIVE_SPOOL="$SPOOL/worker-$i" "$BIN/scrapy" crawl "$source" ${CRAWL_ARGS:-} \
      -s LOG_FILE="$log" 2>>"$log" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}"
    status=$?
    printf 'crawl: %-11s worker %d exit %d (log: .run/crawl-%s-w%d.log)\n' \
      "$source" "$((i + 1))" "$status" "$source" "$((i + 1))"
    [ "$status" -gt "$worst" ] && worst=$status
  done
  t1=$(date +%s.%N)
  printf 'crawl: %-11s %d workers done in %s s\n' "$source" "$WORKERS" \
    "$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")"
  pids=()
done

echo
"$BIN/newsarchive" runs --archive "$ARCHIVE_URI" --after "$started"
exit "$worst"
