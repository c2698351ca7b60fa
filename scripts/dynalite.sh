#!/usr/bin/env bash
# Local DynamoDB-compatible server for component tests.
#   scripts/dynalite.sh install         install the pinned dynalite under .tools/ (idempotent)
#   scripts/dynalite.sh start PIDFILE   start it in memory on a free port; prints the endpoint URL
# Stop it with: kill "$(cat PIDFILE)". dynalite has no TTL or streams API: tests
# create tables with the Terraform keys and GSIs only.
set -euo pipefail
cd "$(dirname "$0")/.."

DYNALITE_VERSION=4.0.0
PREFIX=.tools/dynalite-${DYNALITE_VERSION}
BIN=${PREFIX}/node_modules/.bin/dynalite

install() {
  if [[ -x ${BIN} ]]; then return; fi
  command -v npm >/dev/null 2>&1 || { echo "dynalite: npm not found (install Node.js >= 18; see scripts/install-deps.sh)" >&2; exit 1; }
  mkdir -p "${PREFIX}"
  echo "--- installing dynalite@${DYNALITE_VERSION} into ${PREFIX}" >&2
  npm install --silent --no-audit --no-fund --prefix "${PREFIX}" "dynalite@${DYNALITE_VERSION}" >&2
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

start() {
  local pidfile=$1 port log
  install
  port=$(free_port)
  log=${pidfile%.pid}.log
  # No --path: tables live in memory and vanish with the process.
  "${BIN}" --host 127.0.0.1 --port "${port}" --createTableMs 5 --deleteTableMs 5 --updateTableMs 5 >"${log}" 2>&1 &
  echo $! >"${pidfile}"
  for _ in $(seq 1 100); do
    if grep -q "listening" "${log}" 2>/dev/null; then
      echo "http://127.0.0.1:${port}"
      return
    fi
    if ! kill -0 "$(cat "${pidfile}")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "dynalite did not start on port ${port}:" >&2
  cat "${log}" >&2
  kill "$(cat "${pidfile}")" 2>/dev/null || true
  exit 1
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: dynalite.sh start PIDFILE}" ;;
  *) echo "usage: scripts/dynalite.sh install | start PIDFILE" >&2; exit 2 ;;
esac
