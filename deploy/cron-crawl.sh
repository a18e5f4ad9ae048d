#!/usr/bin/env bash
# One scheduled crawl, for cron (deploy/crontab).
#
#   deploy/cron-crawl.sh                 # all outlets
#   SOURCES="xinhua ecns" deploy/cron-crawl.sh
#
# * Never overlaps a running crawl (flock; a skip is silent unless the crawl holding the
#   lock started more than $STUCK_AFTER seconds ago, 6 h: then it says so and exits 1)
#   and never installs packages: it runs what
#   `make setup` installed in $VENV; a pyproject.toml changed since then (a git pull) is
#   reported, not acted on.
# * Logs each run to $LOG_DIR/crawl-<time>.log and keeps the newest $KEEP_LOGS.
# * Prints nothing when every source finished, and a short summary when one did not:
#   cron mails exactly when something is wrong.
# * Writes $STATUS_FILE in the Prometheus textfile format (node_exporter's textfile
#   collector reads it): exit status and duration per source, when the last run ended
#   and when the last good one did.
# Exit status: the worst of the sources' (README, "Crawling").
set -u
cd "$(dirname "$0")/.."
LOG_DIR=${LOG_DIR:-logs}
KEEP_LOGS=${KEEP_LOGS:-48}
VENV=${VENV:-.venv}
STATUS_FILE=${STATUS_FILE:-$LOG_DIR/newsarchive.prom}
mkdir -p "$LOG_DIR"
exec 9>>"$LOG_DIR/.crawl.lock"
if ! flock -n 9; then
  echo "$(date -u +%FT%TZ) previous crawl still running; skipped" >> "$LOG_DIR/skipped.log"
  # Quietly, while the crawl holding the lock is young; loudly once it has held it for
  # longer than any crawl should run (the crawl's own time limit and backstop make that
  # a stuck process, not a slow site), so that a hung crawl cannot hide behind exit 0.
  since=$(cat "$LOG_DIR/.crawl.started" 2>/dev/null || date +%s)  # unknown: young
  age=$(( $(date +%s) - since ))
  if [ "$age" -gt "${STUCK_AFTER:-21600}" ]; then
    echo "newsarchive cron: the crawl started $(date -u -d "@$since" +%FT%TZ) still holds" \
      "$LOG_DIR/.crawl.lock after ${age}s; this run was skipped (is it stuck? ps, and $LOG_DIR)"
    exit 1
  fi
  exit 0
fi
date +%s > "$LOG_DIR/.crawl.started"
if [ ! -x "$VENV/bin/scrapy" ]; then
  echo "newsarchive cron: no installed crawler in $(pwd)/$VENV; run 'make setup' once"
  exit 1
fi
if [ pyproject.toml -nt "$VENV/.installed" ]; then
  echo "newsarchive cron: pyproject.toml changed since the last 'make setup';" \
    "this run used the packages installed then (run 'make setup' to update them)"
fi

log="$LOG_DIR/crawl-$(date -u +%Y%m%dT%H%M%SZ).log"
BIN="$VENV/bin" ./deploy/crawl.sh > "$log" 2>&1
status=$?
echo "exit $status" >> "$log"
ended=$(date +%s)

# The status file, written whole and then moved into place (the collector never reads a
# half-written one). The last good run's time survives a bad run.
last_good=0
if [ -f "$STATUS_FILE" ]; then
  last_good=$(awk '$1 == "newsarchive_crawl_last_success_timestamp_seconds" { print $2 }' \
    "$STATUS_FILE")
fi
[ "$status" -eq 0 ] && last_good=$ended
{
  echo "# HELP newsarchive_crawl_exit_code Exit status of the source's last scheduled crawl (0 finished; README, Crawling)."
  echo "# TYPE newsarchive_crawl_exit_code gauge"
  awk '/^crawl: .* exit [0-9]+ in / { printf "newsarchive_crawl_exit_code{source=\"%s\"} %s\n", $2, $4 }' "$log"
  echo "# HELP newsarchive_crawl_duration_seconds How long the source's last scheduled crawl took."
  echo "# TYPE newsarchive_crawl_duration_seconds gauge"
  awk '/^crawl: .* exit [0-9]+ in / { printf "newsarchive_crawl_duration_seconds{source=\"%s\"} %s\n", $2, $6 }' "$log"
  echo "# HELP newsarchive_crawl_last_exit_code Exit status of the last scheduled run (the worst source's)."
  echo "# TYPE newsarchive_crawl_last_exit_code gauge"
  echo "newsarchive_crawl_last_exit_code $status"
  echo "# HELP newsarchive_crawl_last_run_timestamp_seconds When the last scheduled run ended."
  echo "# TYPE newsarchive_crawl_last_run_timestamp_seconds gauge"
  echo "newsarchive_crawl_last_run_timestamp_seconds $ended"
  echo "# HELP newsarchive_crawl_last_success_timestamp_seconds When the last run in which every source finished ended (0: none yet)."
  echo "# TYPE newsarchive_crawl_last_success_timestamp_seconds gauge"
  echo "newsarchive_crawl_last_success_timestamp_seconds ${last_good:-0}"
} > "$STATUS_FILE.tmp" && mv -f "$STATUS_FILE.tmp" "$STATUS_FILE"

if [ "$status" -ne 0 ]; then
  case $log in /*) ;; *) log="$(pwd)/$log" ;; esac
  echo "newsarchive crawl on $(hostname): exit $status (full log: $log)"
  echo
  sed '/^Archive: /,$d' "$log"
fi
# Keep the newest logs only.
ls -1t "$LOG_DIR"/crawl-*.log 2>/dev/null | tail -n +"$((KEEP_LOGS + 1))" | xargs -r rm -f
exit "$status"
