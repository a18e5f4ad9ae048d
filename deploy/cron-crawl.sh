#!/usr/bin/env bash
# One scheduled crawl, for cron: never overlaps a running one (flock), logs to a file per
# run, keeps the newest $KEEP_LOGS logs. Exit status is `make crawl`'s (see README).
#
#   deploy/cron-crawl.sh                 # all outlets
#   SOURCES="xinhua ecns" deploy/cron-crawl.sh
set -u
cd "$(dirname "$0")/.."
LOG_DIR=${LOG_DIR:-logs}
KEEP_LOGS=${KEEP_LOGS:-48}
mkdir -p "$LOG_DIR"
log="$LOG_DIR/crawl-$(date -u +%Y%m%dT%H%M%SZ).log"
exec 9>"$LOG_DIR/.crawl.lock"
if ! flock -n 9; then
  echo "$(date -u +%FT%TZ) previous crawl still running; skipped" >> "$LOG_DIR/skipped.log"
  exit 0
fi
make --no-print-directory crawl > "$log" 2>&1
status=$?
echo "exit $status" >> "$log"
# Keep the newest logs only.
ls -1t "$LOG_DIR"/crawl-*.log 2>/dev/null | tail -n +"$((KEEP_LOGS + 1))" | xargs -r rm -f
exit "$status"
