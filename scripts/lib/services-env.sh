# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this file
# Where the local Kafka broker and S3 server listen and how clients reach them; sourced by scripts/services
# and scripts/services-check after they set $root. Ports and the state folder move with environment variables,
# so that several sets can run side by side (parallel test runs).

services_fail() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# Rejects anything but a TCP port number, naming the variable it came from.
services_require_port() {
  local variable=$1 value=$2
  if [[ ! $value =~ ^[0-9]{1,5}$ ]] || ((10#$value < 1 || 10#$value > 65535)); then
    services_fail "$variable='$value': expected a TCP port number from 1 to 65535"
  fi
}

services_host=127.0.0.1
kafka_port="${DIFFARM_KAFKA_PORT:-9092}"
services_require_port DIFFARM_KAFKA_PORT "$kafka_port"
# KRaft's controller listens on a second port; by default the next one, so moving the broker moves both.
kafka_controller_port="${DIFFARM_KAFKA_CONTROLLER_PORT:-$((10#$kafka_port + 1))}"
services_require_port DIFFARM_KAFKA_CONTROLLER_PORT "$kafka_controller_port"
s3_port="${DIFFARM_S3_PORT:-9000}"
services_require_port DIFFARM_S3_PORT "$s3_port"

services_dir="${DIFFARM_SERVICES_DIR:-$root/.diffarm/services}"
[[ $services_dir == /* ]] || services_dir="$PWD/$services_dir"

# Fixed credentials: the server is bound to 127.0.0.1 and holds only local test data.
s3_access_key=diffarm
s3_secret_key=diffarm-local-secret
s3_bucket=diffarm
s3_region=us-east-1

kafka_bootstrap="$services_host:$kafka_port"
s3_endpoint="http://$services_host:$s3_port"

# True when something accepts connections on the port.
services_port_open() {
  (exec 3<>"/dev/tcp/$services_host/$1") 2>/dev/null
}

# The environment that points the daemon (and its tests) at these services, as shell exports.
services_print_env() {
  cat <<EOF
export DIFFARM_KAFKA_BOOTSTRAP_SERVERS=$kafka_bootstrap
export DIFFARM_S3_ENDPOINT=$s3_endpoint
export DIFFARM_S3_ACCESS_KEY=$s3_access_key
export DIFFARM_S3_SECRET_KEY=$s3_secret_key
export DIFFARM_S3_BUCKET=$s3_bucket
EOF
}
