# Sourced by the crawl runners: with REPLAY=1, start the bundled offline replay of the
# outlets and send the crawl through it (the storage endpoint and Redis on loopback are
# reached directly). Sets replay_pid; the caller's EXIT trap calls stop_replay.
replay_pid=""
replay_port_file=""

start_replay() {
  mkdir -p .run
  replay_port_file=.run/replay.$$.port
  rm -f "$replay_port_file"
  local args=() route
  # REPLAY_ROUTES: route files, later ones overlaying earlier (e.g. "tests/replay/routes.yaml
  # tests/replay/routes-hostile.yaml"); REPLAY_ARGS: more server options (--delay 0.5).
  for route in ${REPLAY_ROUTES:-}; do args+=(--routes "$route"); done
  "$BIN/python" -m tests.replay.server --port-file "$replay_port_file" "${args[@]}" \
    ${REPLAY_ARGS:-} > .run/replay.log 2>&1 &
  replay_pid=$!
  for _ in $(seq 50); do [ -s "$replay_port_file" ] && break; sleep 0.1; done
  [ -s "$replay_port_file" ] || { echo "crawl: the offline replay did not start (see .run/replay.log)" >&2; exit 1; }
  local proxy="http://127.0.0.1:$(cat "$replay_port_file")"
  export http_proxy=$proxy https_proxy=$proxy no_proxy=127.0.0.1,localhost
  # The crawler verifies certificates: trust the replay's own CA, for this crawl only.
  export SSL_CERT_FILE="$PWD/$replay_port_file.ca.pem"
  unset NO_PROXY
  # Politeness delays exist for the outlets' servers, not for a local replay.
  export NEWSARCHIVE_DOWNLOAD_DELAY=0 NEWSARCHIVE_AUTOTHROTTLE=0
  echo "crawl: offline replay of the outlets on $proxy"
}

stop_replay() {
  [ -n "$replay_pid" ] && kill "$replay_pid" 2>/dev/null
  [ -n "$replay_port_file" ] && rm -f "$replay_port_file" "$replay_port_file.ca.pem"
  true
}
