# shellcheck shell=bash
# A whole farm on this machine for the acceptance and benchmark scripts: the real Kafka broker and S3 server of
# scripts/services on free ports, the daemon built from this checkout, and clients that are not ours (kcat,
# s3cmd) to talk to them. Sourced after $root and $work (a scratch folder, emptied here) are set; every
# process started here is stopped on exit.

harness_say() {
  echo "$(basename "$0"): $*" >&2
}

harness_fail() {
  harness_say "FAIL: $*"
  exit 1
}

harness_require() {
  local command missing=()
  for command in "$@"; do
    command -v "$command" >/dev/null || missing+=("$command")
  done
  ((${#missing[@]} == 0)) || harness_fail "needs ${missing[*]} on the PATH (Debian: apt-get install kcat s3cmd jq curl python3)"
}

harness_free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
EOF
}

harness_require kcat s3cmd jq curl python3 java mvn
rm -rf "$work"
mkdir -p "$work"
read -r kafka_port kafka_controller_port s3_port http_port < <(harness_free_ports 4)
export DIFFARM_KAFKA_PORT=$kafka_port DIFFARM_KAFKA_CONTROLLER_PORT=$kafka_controller_port DIFFARM_S3_PORT=$s3_port
export DIFFARM_SERVICES_DIR="$work/services"
daemon_pid=""
event_reader_pid=""

harness_stop_all() {
  [[ -n $event_reader_pid ]] && kill "$event_reader_pid" 2>/dev/null
  [[ -n $daemon_pid ]] && kill -KILL "$daemon_pid" 2>/dev/null
  "$root/scripts/services" stop >/dev/null 2>&1 || harness_say "could not stop the services in $DIFFARM_SERVICES_DIR"
}
trap harness_stop_all EXIT

harness_say "starting Kafka and S3 in $DIFFARM_SERVICES_DIR ..."
# Captured first: eval would hide the start's failure.
services_env="$("$root/scripts/services" start 2>"$work/services-start.log")" ||
  harness_fail "scripts/services start failed: $(tail -5 "$work/services-start.log")"
eval "$services_env"
kafka="$DIFFARM_KAFKA_BOOTSTRAP_SERVERS"

cat >"$work/s3cfg" <<EOF
[default]
access_key = $DIFFARM_S3_ACCESS_KEY
secret_key = $DIFFARM_S3_SECRET_KEY
host_base = 127.0.0.1:$s3_port
host_bucket = 127.0.0.1:$s3_port
use_https = False
signature_v2 = False
bucket_location = us-east-1
EOF

s3() {
  timeout 60 s3cmd -c "$work/s3cfg" --no-progress "$@"
}

# The models folder: the repository's tiny random-weight diffusers model as "tiny".
export DIFFARM_MODELS_DIR="$work/models"
mkdir -p "$DIFFARM_MODELS_DIR"
ln -s "$root/engine/src/test/resources/sd-tiny/model" "$DIFFARM_MODELS_DIR/tiny"
export DIFFARM_HOME="$work/home"

harness_build_daemon() {
  harness_say "building the daemon and the engine CLI ..."
  (cd "$root" && mvn -q -B -DskipTests -pl daemon -am package) >"$work/build.log" 2>&1 ||
    harness_fail "the build failed: $(tail -20 "$work/build.log")"
  # The build's time stamp: scripts/diffarm-daemon rebuilds when a source is newer than the jar, and Maven may leave
  # an unchanged jar as it was (several daemons started at once would each build).
  touch "$root/daemon/target/quarkus-app/quarkus-run.jar"
}

# Starts the daemon in the background, logging to $work/daemon-N.log, and waits until it is ready.
daemon_starts=0
harness_start_daemon() {
  daemon_starts=$((daemon_starts + 1))
  local log="$work/daemon-$daemon_starts.log" deadline=$((SECONDS + 120))
  DIFFARM_JAVA_OPTS="${DIFFARM_JAVA_OPTS:-} -Dquarkus.http.port=$http_port" \
    nohup "$root/scripts/diffarm-daemon" >"$log" 2>&1 &
  daemon_pid=$!
  until curl -fsS "http://127.0.0.1:$http_port/q/health/ready" >/dev/null 2>&1; do
    kill -0 "$daemon_pid" 2>/dev/null || harness_fail "the daemon exited while starting: $(tail -20 "$log")"
    ((SECONDS < deadline)) || harness_fail "the daemon was not ready after 120 s: $(tail -20 "$log")"
    sleep 0.5
  done
  harness_say "daemon ready (pid $daemon_pid, http://127.0.0.1:$http_port, log $log)"
}

harness_kill_daemon() {
  kill -KILL "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
}

harness_stop_daemon() {
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
}

# Reads every event and dead letter from the start into files, one record a line: key, timestamp (ms), value.
harness_read_events() {
  kcat -b "$kafka" -C -t diffarm.events -o beginning -u -q -f '%k\t%T\t%s\n' >"$work/events.tsv" 2>"$work/kcat-events.log" &
  event_reader_pid=$!
}

# Produces one record to diffarm.jobs with kcat: produce KEY VALUE (the value on one line).
produce() {
  printf '%s\n' "$2" | kcat -b "$kafka" -P -t diffarm.jobs -k "$1" ||
    harness_fail "kcat could not produce $1 to diffarm.jobs"
}

# The events of a job so far, as JSON lines.
events_of() {
  awk -F'\t' -v key="$1" '$1 == key { print $3 }' "$work/events.tsv"
}

# Waits until the job has an event of the type; prints the newest such event.
await_event() {
  local job=$1 type=$2 timeout=${3:-120} deadline event
  deadline=$((SECONDS + timeout))
  while true; do
    event="$(events_of "$job" | jq -c --arg type "$type" 'select(.type == $type)' | tail -1)"
    [[ -n $event ]] && { printf '%s\n' "$event"; return 0; }
    ((SECONDS < deadline)) || harness_fail "no '$type' event for job $job within ${timeout}s; its events: $(events_of "$job")"
    sleep 0.3
  done
}

# The dead letters so far: value, then the reason header.
dead_letters() {
  timeout 30 kcat -b "$kafka" -C -t diffarm.jobs.dlq -o beginning -e -q -f '%s\t%h\n'
}
