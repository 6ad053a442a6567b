#!/usr/bin/env bash
# Framescope's set-up and run script for Debian 12 (see README.md). Idempotent; run it as root or
# as a user who may use sudo (only apt-get needs root).
#
#   scripts/framescope.sh start   install what is missing, build, start the main job
#   scripts/framescope.sh test    install what is missing, build, run every test
#   scripts/framescope.sh bench   build the release preset and run the benchmarks
#   scripts/framescope.sh deps    only install what is missing
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# Debian packages for building, testing and fuzzing.
packages=(
    build-essential cmake ninja-build pkg-config git dpkg-dev file ca-certificates
    qt6-base-dev qt6-websockets-dev qt6-charts-dev libqt6opengl6-dev qt6-declarative-dev
    libssl-dev zlib1g-dev nlohmann-json3-dev
    clang libfuzzer-14-dev libclang-rt-14-dev
    python3-websockets nodejs
)
# Only for the tests: tshark dissects the loopback traffic, an independent check of captures;
# the desktop file and AppStream validators check the desktop integration; xmllint checks the
# JUnit reports against their schema.
test_packages=(tshark desktop-file-utils appstream libxml2-utils)

log() { printf '\n==> %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: need root for: $*  (run as root or install sudo)" >&2
        exit 1
    fi
}

# Installs those of the Debian packages (the list above, plus any named) that are missing.
install_missing() {
    local missing=()
    for package in "${packages[@]}" "$@"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$package")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        log "All packages present"
        return
    fi
    log "Installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# npm comes with Node.js from some sources and as its own Debian package otherwise.
install_npm() {
    if ! command -v npm >/dev/null 2>&1; then
        log "Installing npm"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm
    fi
}

# Reference peer for the tests: ws 8.x from the npm registry, into the build tree, with the other
# npm packages given (NAME@VERSION each).
install_ws() {
    local prefix=$1
    shift
    local extra="$*"
    local missing=
    [ -f "$prefix/node_modules/ws/package.json" ] || missing=yes
    local package
    for package in "$@"; do
        [ -d "$prefix/node_modules/${package%@*}" ] || missing=yes
    done
    if [ -n "$missing" ]; then
        log "Installing ws 8.x ${extra} from the npm registry into $prefix"
        mkdir -p "$prefix"
        # Debian's Node.js trusts only its built-in CAs; let it use the system's store too.
        if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
            export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
        fi
        # shellcheck disable=SC2086 # $extra is one package name or nothing
        if ! npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error ws@8 $extra; then
            echo "error: could not install ws 8.x ${extra} from the npm registry (needed by the reference-peer and k6 tests)" >&2
            exit 1
        fi
    fi
}

build() {
    local preset=$1
    shift
    log "Configuring and building the $preset preset"
    cmake --preset "$preset" "$@" >/dev/null
    cmake --build --preset "$preset"
}

jobs=$(nproc 2>/dev/null || echo 2)

case "${1:-}" in
deps)
    install_missing
    ;;
start)
    install_missing
    build dev
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        # A display that is set but does not answer (a stale DISPLAY in tmux, SSH or a
        # container) makes Qt abort: tried first, with the application's --version.
        if timeout 20 ./build/dev/app/framescope --version >/dev/null 2>&1; then
            log "Starting Framescope: it starts its built-in server and connects to it"
            exec ./build/dev/app/framescope
        fi
        echo "The display ${DISPLAY:-$WAYLAND_DISPLAY} does not answer: running the command-line" \
            "twin instead (framescope-cli serve, then framescope-cli connect URL)." >&2
    else
        echo "No display here: running the command-line twin instead (framescope-cli serve, then" \
            "framescope-cli connect URL)." >&2
    fi
    cli=./build/dev/app/framescope-cli
    serve_log=$(mktemp)
    log "Starting the built-in server (framescope-cli serve) and connecting the client to it"
    "$cli" serve --host 127.0.0.1 --deflate >"$serve_log" 2>&1 &
    server=$!
    trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$serve_log"' EXIT
    url=""
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening //p' "$serve_log" | head -n 1)
        [ -n "$url" ] && break
        sleep 0.1
    done
    if [ -z "$url" ]; then
        cat "$serve_log" >&2
        exit 1
    fi
    if [ -t 0 ]; then
        echo "Connected to $url: type lines to send them, Ctrl-D to close." >&2
        "$cli" connect "$url" --deflate
    else
        "$cli" connect "$url" --deflate --send "Hello from Framescope" --send-binary 00ff \
            --wait-messages 2
    fi
    ;;
test)
    install_missing "${test_packages[@]}"
    install_npm
    export QT_QPA_PLATFORM=offscreen
    # 1. Fuzz every target for a bounded time (clang, ASan + UBSan).
    build fuzz -DFRAMESCOPE_FUZZ_SECONDS="${FRAMESCOPE_FUZZ_SECONDS:-30}"
    log "Fuzzing"
    ctest --test-dir build/fuzz --output-on-failure -j "$jobs"
    # 2. The protocol tests under AddressSanitizer and UndefinedBehaviorSanitizer.
    build asan
    log "Tests under ASan + UBSan (a Debug build: assertions on)"
    ctest --test-dir build/asan --output-on-failure -LE "peers|installer" -j "$jobs"
    # 3. The thread claims under ThreadSanitizer: the capture store's one writer and many
    #    readers, the recorder that the store's writer calls at the memory cap, the session
    #    manager's network thread, and scripts on threads of their own.
    log "Building the threaded tests with TSan"
    cmake --preset tsan >/dev/null
    cmake --build --preset tsan --target tst_framestore tst_capturefile tst_sessionmanager \
        tst_serverbehaviours tst_recorder tst_scripting tst_replay
    TSAN_OPTIONS="suppressions=$here/tests/tsan.supp halt_on_error=1" \
        ctest --test-dir build/tsan --output-on-failure -R "^capture\.|tst_sessionmanager|tst_serverbehaviours|tst_recorder|tst_scripting|tst_replay$" -j "$jobs"
    # 4. The portable platform layer (what a system without the Linux calls gets: every socket
    #    through Qt), so that nothing in the core comes to depend on them.
    build portable
    log "Tests of the portable build"
    ctest --test-dir build/portable --output-on-failure -LE "peers|installer" -j "$jobs"
    # 5. Everything, in the normal build; ctest's summary line ends the run.
    build dev
    # ws for the reference peers; TypeScript and @types/k6 to type-check the k6 scripts.
    install_ws build/dev/npm typescript@5 @types/k6@2
    log "All tests"
    ctest --test-dir build/dev --output-on-failure -j "$jobs"
    ;;
bench)
    install_missing
    # The server benchmark's peers: Boost.Beast (Debian) and ws with bufferutil (npm).
    if ! dpkg -s libboost-dev >/dev/null 2>&1; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            libboost-dev
    fi
    build release -DFRAMESCOPE_BUILD_BENCHMARKS=ON
    install_ws build/release/npm bufferutil@4
    ./build/release/tests/benchmarks/bench_protocol
    ./build/release/tests/benchmarks/bench_client
    ./build/release/tests/benchmarks/bench_gui_log
    ./build/release/tests/benchmarks/bench_scripting
    ./build/release/tests/benchmarks/bench_server
    /usr/bin/python3 tests/benchmarks/bench_server_memory.py build/release/app/framescope-cli
    ;;
*)
    echo "usage: $0 start|test|bench|deps" >&2
    exit 2
    ;;
esac
