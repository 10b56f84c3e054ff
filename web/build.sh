#!/usr/bin/env bash
# build.sh: installs the web app's npm packages (npm ci, from the committed
# package-lock.json) and builds it into web/dist. Quiet and idempotent:
# nothing is done when web/dist is newer than every source file and the
# lock file. Never downloads a browser. Prints errors only; exits non-zero
# on failure.
# Options: --force rebuilds even when the output looks current.
# HUZHU_WEB_OUT=DIR builds into DIR instead of web/dist (parallel work trees
# and helpers each build their own copy).
set -euo pipefail
cd "$(dirname "$0")"

force=0
[[ ${1:-} == --force ]] && force=1

command -v node >/dev/null && command -v npm >/dev/null || {
    echo "web/build.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
    exit 1
}

sources=(package.json package-lock.json vite.config.js index.html src public)
out=${HUZHU_WEB_OUT:-dist}
stamp=$out/index.html

# Current when dist/index.html exists and no source is newer than it.
if [[ $force -eq 0 && -f $stamp ]] && [[ -z $(find "${sources[@]}" -newer "$stamp" -print -quit) ]]; then
    exit 0
fi

# Packages: reinstall only when the lock file changed since the last install.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_config_audit=false npm_config_fund=false \
    npm_config_update_notifier=false npm_config_loglevel=error
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    log=$(mktemp)
    if ! npm ci --no-audit --no-fund >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "web/build.sh: npm ci failed" >&2
        exit 1
    fi
    rm -f "$log"
    touch node_modules/.package-lock.json
fi

log=$(mktemp)
if ! node node_modules/vite/bin/vite.js build --logLevel warn --outDir "$out" --emptyOutDir >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "web/build.sh: vite build failed" >&2
    exit 1
fi
# vite prints warnings (e.g. chunk size) to the log; show them, they are worth fixing
grep -v '^\s*$' "$log" >&2 || true
rm -f "$log"
touch "$stamp"
