#!/usr/bin/env bash
# System packages the browser smoke test (and screenshots/PDFs in Chinese)
# need, installed only when missing:
#   - chromium            Debian's browser, driven headless by playwright-core
#   - fonts-wqy-microhei  a CJK font: without one Chinese renders as boxes
#   - libpango-1.0-0, libpangoft2-1.0-0  the text layout libraries WeasyPrint
#                         loads to turn the HTML reports into PDF
#   - nodejs, npm         only when node/npm are not on the PATH at all
# then the browser test's npm dependency (tests/browser: playwright-core,
# which never downloads a browser of its own; the test uses /usr/bin/chromium).
#
#   bash scripts/install_system_deps.sh      (or: make system-deps)
#   bash scripts/install_system_deps.sh --runtime   (make run: what the
#        product itself needs, the font and pango; no browser)
#
# Idempotent and fast when everything is present. apt-get needs root (CI runs
# as root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
die() { echo "install_system_deps.sh: $*" >&2; exit 1; }

installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == *"ok installed" ]]
}

runtime=0
[[ "${1:-}" == --runtime ]] && runtime=1

missing=()
((runtime)) || installed chromium || missing+=(chromium)
installed fonts-wqy-microhei || missing+=(fonts-wqy-microhei)
installed libpango-1.0-0 || missing+=(libpango-1.0-0)
installed libpangoft2-1.0-0 || missing+=(libpangoft2-1.0-0)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
    [[ "$(id -u)" == 0 ]] || die "missing ${missing[*]}; run as root:" \
        "apt-get install -y ${missing[*]}"
    echo "system-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null || die "apt-get update failed"
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
fi
if ((runtime)); then
    echo "system-deps: fonts-wqy-microhei, pango" \
        "$(dpkg-query -W -f='${Version}' libpango-1.0-0)"
    exit 0
fi
[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after install"

# playwright-core for tests/browser (node_modules is ignored by git)
BROWSER_DIR="$ROOT/tests/browser"
stamp="$BROWSER_DIR/node_modules/.package-lock.json"
if [[ ! -f "$BROWSER_DIR/node_modules/playwright-core/package.json" \
        || ! -f "$stamp" || "$BROWSER_DIR/package.json" -nt "$stamp" \
        || ( -f "$BROWSER_DIR/package-lock.json" \
             && "$BROWSER_DIR/package-lock.json" -nt "$stamp" ) ]]; then
    echo "system-deps: npm install in tests/browser (playwright-core)"
    (cd "$BROWSER_DIR" \
        && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit \
            --no-fund --loglevel=error >/dev/null) \
        || die "npm install in tests/browser failed"
    touch "$stamp"
fi
echo "system-deps: chromium $(dpkg-query -W -f='${Version}' chromium)," \
    "fonts-wqy-microhei, pango $(dpkg-query -W -f='${Version}' \
    libpango-1.0-0), playwright-core $(node -p \
    "require('$BROWSER_DIR/node_modules/playwright-core/package.json').version")"
