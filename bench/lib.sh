# shellcheck shell=bash
# Shared by the bench/*.sh scripts (sourced, not run): tool installs, the release build, a
# scratch directory whose processes are stopped on exit, free loopback ports, the nginx upstreams,
# readiness waits and CPU time from /proc.

# bench_apt PACKAGE: installs the Debian package (sudo when not root), quietly.
bench_apt() {
    echo "installing $1" >&2
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}

# bench_need COMMAND PACKAGE: installs the Debian package when COMMAND is missing.
bench_need() {
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] && return 0
    bench_apt "$2"
}

# bench_need_time: installs GNU time for `/usr/bin/time -v` (wall time and peak RSS); not
# bench_need, because `command -v time` finds the shell keyword.
bench_need_time() {
    [ -x /usr/bin/time ] || bench_apt time
}

# bench_need_nginx: installs nginx-light when nginx is missing; sets NGINX to its path (Debian
# puts it in /usr/sbin, which a user's PATH may lack).
bench_need_nginx() {
    bench_need nginx nginx-light
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# bench_build BUILD_DIR TARGET...: a release build of the targets; sets VERSA_BIN unless given.
bench_build() {
    local dir=$1; shift
    deploy/install-deps.sh
    [ -f "$dir/build.ninja" ] || meson setup "$dir" -Dbuildtype=release >/dev/null
    ninja -C "$dir" "$@" >/dev/null
    VERSA_BIN=${VERSA_BIN:-$ROOT/$dir/cli/versa}
}

# bench_build_logged BUILD_DIR: a release build of versa alone, without the dependency install,
# its output kept in $TMP/build.log and shown (the last 30 lines) only when it fails; sets
# VERSA_BIN. Needs bench_tmp first.
bench_build_logged() {
    local dir=$1
    if ! { [ -f "$dir/build.ninja" ] ||
           meson setup "$dir" -Dbuildtype=release >"$TMP/build.log" 2>&1; } ||
       ! ninja -C "$dir" cli/versa >>"$TMP/build.log" 2>&1; then
        tail -30 "$TMP/build.log" >&2
        echo "building versa in $dir failed" >&2
        exit 1
    fi
    VERSA_BIN=$ROOT/$dir/cli/versa
}

# bench_npm_tools NAME "COMMAND..." PACKAGE@VERSION...: the competitors written in Node live in
# bench/npm/NAME/node_modules (gitignored), one folder per script: npm install --no-save into a
# shared folder removes what another script installed there. Installs the packages unless every
# COMMAND is already in its .bin. Sets NODE_BIN to that directory.
bench_npm_tools() {
    local prefix=$ROOT/bench/npm/$1 commands=$2 command missing=""; shift 2
    NODE_BIN=$prefix/node_modules/.bin
    for command in $commands; do [ -x "$NODE_BIN/$command" ] || missing=1; done
    [ -n "$missing" ] || return 0
    local names="$*"
    mkdir -p "$prefix"
    echo "installing ${names// / and } into bench/npm/${prefix##*/}/node_modules" >&2
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund \
        --loglevel=error "$@" >/dev/null
}

# bench_measure ON_FAILURE NAME CMD...: runs CMD under /usr/bin/time -v (bench_need_time first)
# with its output in $TMP/NAME.{time,out,err}, and prints "seconds kilobytes" (wall time, peak
# RSS). Exit status 1 is a result (findings, breaking changes), not a failure. On a failure the
# end of its stderr is shown and ON_FAILURE decides: `exit` exits 1; `nan` prints "nan
# kilobytes" so that the caller's table shows the tool as failed.
bench_measure() {
    local on_failure=$1 name=$2; shift 2
    local status=0
    /usr/bin/time -v -o "$TMP/$name.time" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "$name failed (exit $status):" >&2
        tail -5 "$TMP/$name.err" >&2
        [ "$on_failure" = exit ] && exit 1
    fi
    python3 - "$TMP/$name.time" "$status" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
if int(sys.argv[2]) > 1:  # failed (out of memory, a crash): no time to show
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    print("nan %d" % (int(rss.group(1)) if rss else 0))
    sys.exit(0)
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
seconds = 0.0
for part in wall.split(":"):
    seconds = seconds * 60 + float(part)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
print("%.3f %d" % (seconds, rss))
PY
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

# bench_nginx_files PORT LOCATIONS [WRAPPER...]: one nginx worker on 127.0.0.1:PORT serving
# files, LOCATIONS being its `location` lines (e.g. `location = /pets { alias $TMP/a.json; }`),
# configured and logging in $TMP/nginx; started behind WRAPPER if given (e.g. taskset -c 0), its
# pid appended to `pids`. Needs bench_need_nginx and bench_tmp first.
bench_nginx_files() {
    local port=$1 locations=$2; shift 2
    mkdir -p "$TMP/nginx/logs"
    cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $TMP/nginx/logs/error.log;
pid $TMP/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    client_body_temp_path $TMP/nginx; proxy_temp_path $TMP/nginx; fastcgi_temp_path $TMP/nginx;
    uwsgi_temp_path $TMP/nginx; scgi_temp_path $TMP/nginx;
    server {
        listen 127.0.0.1:$port;
        $locations
    }
}
CONF
    "$@" "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" & pids+=($!)
}

# bench_nginx_answers NAME SERVERS: nginx with WORKERS worker processes and keep-alive for
# the whole run, SERVERS being its `server` blocks (fixed answers: `return 200 '...'`); the
# configuration is $TMP/NAME.conf, its logs $TMP/NAME.*.log (shown by bench_wait_http). Started
# with its pid appended to `pids`. Needs bench_need_nginx and bench_tmp first.
bench_nginx_answers() {
    cat >"$TMP/$1.conf" <<CONF
worker_processes $WORKERS;
daemon off;
pid $TMP/$1.pid;
error_log $TMP/$1.error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/body;
    proxy_temp_path $TMP/proxy;
    fastcgi_temp_path $TMP/fastcgi;
    uwsgi_temp_path $TMP/uwsgi;
    scgi_temp_path $TMP/scgi;
$2
}
CONF
    "$NGINX" -e "$TMP/$1.early.log" -p "$TMP" -c "$TMP/$1.conf" & pids+=($!)
}

# bench_wait_http URL WHAT: waits up to 30 s for URL to answer 2xx; otherwise prints the end of
# the logs in $TMP and exits 1.
bench_wait_http() {
    for _ in $(seq 300); do
        curl -fsS --noproxy '*' -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "bench: $2 did not come up ($1)" >&2
    cat "$TMP"/*.log 2>/dev/null | tail -20 >&2
    exit 1
}

# bench_cpu_ticks PID: the CPU time the process has used so far (user + system, all its
# threads), in clock ticks (getconf CLK_TCK per second): fields 14 and 15 of /proc/PID/stat,
# counted after the command name, which may hold spaces.
bench_cpu_ticks() {
    awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"
}

# bench_machine_ticks: the CPU time the whole machine has been busy so far (user, nice, system,
# irq, softirq and steal of /proc/stat's first line), in clock ticks: what the load generator,
# the upstream and the gateway together spend.
bench_machine_ticks() {
    awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat
}
