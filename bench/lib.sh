# Shared by the bench/*.sh scripts (sourced, not run): tool installs, the release build, a
# scratch directory whose processes are stopped on exit, and free loopback ports.

# bench_need COMMAND PACKAGE: installs the Debian package when COMMAND is missing.
bench_need() {
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
    echo "installing $2" >&2
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

# bench_build BUILD_DIR TARGET...: a release build of the targets; sets VERSA_BIN unless given.
bench_build() {
    local dir=$1; shift
    deploy/install-deps.sh
    [ -f "$dir/build.ninja" ] || meson setup "$dir" -Dbuildtype=release >/dev/null
    ninja -C "$dir" "$@" >/dev/null
    VERSA_BIN=${VERSA_BIN:-$ROOT/$dir/cli/versa}
}

# bench_tmp PREFIX: sets TMP (readable by nginx workers); processes appended to `pids` are
# stopped, and TMP removed, on exit or Ctrl-C.
bench_tmp() {
    TMP=$(mktemp -d "/tmp/$1.XXXXXX")
    chmod 755 "$TMP" # nginx workers run as another user
    pids=()
    trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"' EXIT
    trap 'exit 130' INT TERM
}

# bench_ports N: prints N free loopback ports.
bench_ports() {
    python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])' "$1"
}
