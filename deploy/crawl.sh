#!/usr/bin/env bash
# Run one crawl of each source in $SOURCES, one after another, and print what they
# archived. Used by `make crawl` (and so by cron). With REPLAY=1 the crawl goes to the
# bundled offline replay of the outlets instead of the live sites.
#
# Exit status: 0 if every source finished and stored everything; otherwise the highest
# status any source returned (3 storage error, 4 stopped early, 1 could not start).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
if [ "${REPLAY:-0}" = "1" ]; then
  # The replay also holds a republishing copy site, to show cleaning of such copies.
  SOURCES=${SOURCES:-xinhua cgtn chinadaily chinaorgcn ecns copysite}
else
  SOURCES=${SOURCES:-xinhua cgtn chinadaily chinaorgcn ecns}
fi
ARCHIVE_URI=${ARCHIVE_URI:-archive}
export ARCHIVE_URI
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Per-source Scrapy logs go to $RUN_DIR.
RUN_DIR=${RUN_DIR:-.run}
mkdir -p "$RUN_DIR"
. deploy/replay-env.sh
cleanup() { stop_replay; wait 2>/dev/null; true; }
trap cleanup EXIT INT TERM
[ "${REPLAY:-0}" = "1" ] && start_replay

# Exit statuses by severity (README, "Crawling"): degraded 6 < stopped early 4 <
# failed 5 < storage error 3 < could not start 1 (and anything unknown).
severity() { case "$1" in 0) echo 0 ;; 6) echo 1 ;; 4) echo 2 ;; 5) echo 3 ;; 3) echo 4 ;; *) echo 5 ;; esac; }
# Each source's Scrapy log is kept for the last $KEEP_SOURCE_LOGS runs
# (.run/crawl-<source>.log, then .log.1, .log.2 …), never growing for ever.
KEEP_SOURCE_LOGS=${KEEP_SOURCE_LOGS:-10}
rotate() {
  local log=$1 n
  [ -e "$log" ] || return 0
  rm -f "$log.$KEEP_SOURCE_LOGS"
  for ((n = KEEP_SOURCE_LOGS - 1; n >= 1; n--)); do
    [ -e "$log.$n" ] && mv -f "$log.$n" "$log.$((n + 1))"
  done
  if [ "$KEEP_SOURCE_LOGS" -ge 1 ]; then mv -f "$log" "$log.1"; else rm -f "$log"; fi
}
# Scrapy stops a crawl at NEWSARCHIVE_TIME_LIMIT (CLOSESPIDER_TIMEOUT, settings/); this
# is the backstop for a crawl that does not stop then (a hung close): 15 minutes more,
# then SIGTERM (Scrapy's graceful shutdown), then SIGKILL 2 minutes later.
LIMIT=${NEWSARCHIVE_TIME_LIMIT:-10800}
BACKSTOP=$(awk "BEGIN { printf \"%d\", $LIMIT + 900 }")
worst=0
for source in $SOURCES; do
  log="$RUN_DIR/crawl-$source.log"
  rotate "$log"
  t0=$(date +%s.%N)
  timeout --kill-after=120 "$BACKSTOP" \
    "$BIN/scrapy" crawl "$source" ${CRAWL_ARGS:-} -s LOG_FILE="$log" 2>>"$log"
  status=$?
  [ "$status" -eq 124 ] || [ "$status" -eq 137 ] &&
    echo "crawl: $source did not stop at its time limit; killed after $BACKSTOP s" >&2
  t1=$(date +%s.%N)
  printf 'crawl: %-11s exit %d in %s s (log: %s)\n' "$source" "$status" \
    "$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")" "$log"
  # Why a run failed or was degraded: the one line the crawl command printed.
  [ "$status" -ne 0 ] && grep '^newsarchive: ' "$log" | tail -n 3 | sed 's/^/  /'
  [ "$(severity "$status")" -gt "$(severity "$worst")" ] && worst=$status
done

echo
"$BIN/newsarchive" runs --archive "$ARCHIVE_URI" --after "$started"
echo
echo "Archive: $ARCHIVE_URI"
echo "  warc/source=<source>/date=<crawl date>/*.warc.gz         every HTTP exchange (WARC/1.1)"
echo "  articles/source=<source>/date=<published>/*.jsonl.gz    clean article records"
echo "  index/source=<source>/date=<crawl date>/*.jsonl.gz       where each article is (for show)"
echo "  runs/<crawl id>.json                                     run manifests (files, sha256, stats)"
exit "$worst"
