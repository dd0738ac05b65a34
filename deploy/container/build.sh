#!/usr/bin/env bash
# Builds the runtime image versa:TAG (default latest) offline with podman (or buildah):
#   deploy/container/build.sh [TAG]
# A release build (BUILD_DIR, default build-release) provides the binary; ldd names exactly the
# shared libraries it loads, which are copied with the dynamic loader into a root filesystem
# (CONTEXT, default a temp dir) together with CA certificates, /etc/passwd and /etc/group for
# the non-root user, and the default configuration. The Containerfile starts FROM scratch and
# copies that tree, so nothing is pulled. Prints the image's size.
set -euo pipefail
cd "$(dirname "$0")/../.."
TAG=${1:-latest}
IMAGE=versa:$TAG
BUILD=${BUILD_DIR:-build-release}
ENGINE=${ENGINE:-$(command -v podman || command -v buildah || true)}
[ -n "$ENGINE" ] || { echo "build.sh: podman or buildah is needed (apt-get install podman)" >&2; exit 2; }

if [ -z "${VERSA_BIN:-}" ]; then # VERSA_BIN: package an existing (release) binary instead
    [ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dbuildtype=release -Db_ndebug=true >/dev/null
    ninja -C "$BUILD" cli/versa >/dev/null
    VERSA_BIN=$BUILD/cli/versa
fi

if [ -n "${CONTEXT:-}" ]; then # CONTEXT: keep the build context there (the tests read it)
    mkdir -p "$CONTEXT"
else
    CONTEXT=$(mktemp -d /tmp/versa-image.XXXXXX)
    trap 'rm -rf "$CONTEXT"' EXIT
fi
ROOTFS=$CONTEXT/rootfs
rm -rf "$ROOTFS"
mkdir -p "$ROOTFS"/{usr/bin,etc/versa,etc/ssl/certs,tmp}
chmod 1777 "$ROOTFS/tmp"
install -m 0755 "$VERSA_BIN" "$ROOTFS/usr/bin/versa"
strip --strip-unneeded "$ROOTFS/usr/bin/versa"

# The libraries the binary loads, and the loader itself: "name => /path (addr)" or "/path (addr)".
# Each is copied to the path the loader will look for (the resolved file under the linked name).
ldd "$VERSA_BIN" | awk '/=> \//{print $3} /^\t\//{print $1}' | sort -u | while read -r lib; do
    mkdir -p "$ROOTFS$(dirname "$lib")"
    cp -L "$lib" "$ROOTFS$lib"
    strip --strip-unneeded "$ROOTFS$lib" 2>/dev/null || true
done
# usr-merged Debian: the loader is named /lib64/ld-linux-x86-64.so.2 in the binary
if [ -d "$ROOTFS/usr/lib64" ] && [ ! -e "$ROOTFS/lib64" ]; then ln -s usr/lib64 "$ROOTFS/lib64"; fi
if [ -d "$ROOTFS/usr/lib" ] && [ ! -e "$ROOTFS/lib" ]; then ln -s usr/lib "$ROOTFS/lib"; fi

cp -L /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"
echo "versa:x:10001:10001:Versa:/nonexistent:/sbin/nologin" >"$ROOTFS/etc/passwd"
echo "versa:x:10001:" >"$ROOTFS/etc/group"
# glibc's files and dns lookups are built into libc.so.6 (2.34+): upstream names resolve
# through the runtime's /etc/hosts and /etc/resolv.conf (cluster DNS in Kubernetes)
echo "hosts: files dns" >"$ROOTFS/etc/nsswitch.conf"
install -m 0644 deploy/container/versa.yaml "$ROOTFS/etc/versa/versa.yaml"
cp deploy/container/Containerfile "$CONTEXT/Containerfile"

if [ "$(basename "$ENGINE")" = buildah ]; then
    "$ENGINE" bud --pull=never -q -f "$CONTEXT/Containerfile" -t "$IMAGE" "$CONTEXT" >/dev/null
else
    "$ENGINE" build --pull=never -q -f "$CONTEXT/Containerfile" -t "$IMAGE" "$CONTEXT" >/dev/null
fi
size=$("$ENGINE" image inspect "$IMAGE" --format '{{.Size}}')
echo "built $IMAGE: $size bytes ($(du -sb "$ROOTFS" | cut -f1) bytes of root filesystem)"
