#!/usr/bin/env bash
# Installs the compilers the instrumentation tests check their results with, when the machine lacks
# them: Go from Debian's golang-go (the Go wrap/Add tracing results are built offline against stub
# modules). javac, rustc and python3 are part of this machine's image; a machine without them skips
# those checks, and the test summary counts the skips.
# Idempotent: returns at once when `go` is on the PATH. Needs root and apt-get; otherwise it says what
# to install and succeeds (the Go checks then skip).
set -euo pipefail
if command -v go >/dev/null 2>&1; then echo "go: $(go version)"; exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian golang-go"
  # other installs may hold dpkg's lock for a while: wait for it instead of failing
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends golang-go >/dev/null
  echo "go: $(go version)"
else
  echo "go is missing and this is not a root shell with apt-get: install Debian's golang-go to run the Go compile checks" >&2
fi
