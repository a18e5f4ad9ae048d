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
replay_pid=""
mkdir -p .run

port_file=""
cleanup() {
  [ -n "$replay_pid" ] && kill "$replay_pid" 2>/dev/null
  wait 2>/dev/null
  [ -n "$port_file" ] && rm -f "$port_file"
  true
}
trap cleanup EXIT INT TERM

if [ "${REPLAY:-0}" = "1" ]; then
  mkdir -p .run
  port_file=.run/replay.$$.port
  rm -f "$port_file"
  "$BIN/python" -m tests.replay.server --port-file "$port_file" ${REPLAY_ROUTES:+--routes $REPLAY_ROUTES} \
    > .run/replay.log 2>&1 &
  replay_pid=$!
  for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
  [ -s "$port_file" ] || { echo "crawl: the offline replay did not start (see .run/replay.log)" >&2; exit 1; }
  proxy="http://127.0.0.1:$(cat "$port_file")"
  # Only the outlets go through the replay; a storage endpoint on loopback does not.
  export http_proxy=$proxy https_proxy=$proxy no_proxy=127.0.0.1,localhost
  unset NO_PROXY
  # Politeness delays exist for the outlets' servers, not for a local replay.
  export NEWSARCHIVE_DOWNLOAD_DELAY=0 NEWSARCHIVE_AUTOTHROTTLE=0
  echo "crawl: offline replay of the outlets on $proxy"
fi

worst=0
for source in $SOURCES; do
  t0=$(date +%s.%N)
  "$BIN/scrapy" crawl "$source" ${CRAWL_ARGS:-} -s LOG_FILE=".run/crawl-$source.log" 2>>".run/crawl-$source.log"
  status=$?
  t1=$(date +%s.%N)
  printf 'crawl: %-11s exit %d in %s s (log: .run/crawl-%s.log)\n' "$source" "$status" \
    "$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }")" "$source"
  [ "$status" -gt "$worst" ] && worst=$status
done

echo
"$BIN/newsarchive" runs --archive "$ARCHIVE_URI" --after "$started"
echo
echo "Archive: $ARCHIVE_URI"
echo "  warc/source=<source>/date=<crawl date>/*.warc.gz         every HTTP exchange (WARC/1.1)"
echo "  articles/source=<source>/date=<published>/*.jsonl.gz    clean article records"
echo "  runs/<crawl id>.json                                     run manifests (files, sha256, stats)"
exit "$worst"
