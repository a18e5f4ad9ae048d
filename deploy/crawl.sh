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
mkdir -p .run
. deploy/replay-env.sh
cleanup() { stop_replay; wait 2>/dev/null; true; }
trap cleanup EXIT INT TERM
[ "${REPLAY:-0}" = "1" ] && start_replay

# Exit statuses by severity (README, "Crawling"): degraded 6 < stopped early 4 <
# failed 5 < storage error 3 < could not start 1 (and anything unknown).
severity() { case "$1" in 0) echo 0 ;; 6) echo 1 ;; 4) echo 2 ;; 5) echo 3 ;; 3) echo 4 ;; *) echo 5 ;; esac; }
worst=0
for source in $SOURCES; do
  t0=$(date +%s.%N)
  "$BIN/scrapy" crawl "$source" ${CRAWL_ARGS:-} -s LOG_FILE=".run/crawl-$source.log" 2>>".run/crawl-$source.log"
  status=$?
  t1=$(date +%s.%N)
  printf 'crawl: %-11s exit %d in %s s (log: .run/crawl-%s.log)\n' "$source" "$status" \
    "$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")" "$source"
  [ "$(severity "$status")" -gt "$(severity "$worst")" ] && worst=$status
done

echo
"$BIN/newsarchive" runs --archive "$ARCHIVE_URI" --after "$started"
echo
echo "Archive: $ARCHIVE_URI"
echo "  warc/source=<source>/date=<crawl date>/*.warc.gz         every HTTP exchange (WARC/1.1)"
echo "  articles/source=<source>/date=<published>/*.jsonl.gz    clean article records"
echo "  runs/<crawl id>.json                                     run manifests (files, sha256, stats)"
exit "$worst"
