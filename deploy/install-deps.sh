#!/usr/bin/env bash
# Installs Versa's build and test dependencies from Debian 12's packages.
# Idempotent: does nothing (no apt-get update) when everything is already installed.
set -euo pipefail

BUILD_PKGS=(build-essential pkg-config meson ninja-build libh2o-evloop-dev libssl-dev help2man
            libyaml-dev libjansson-dev libcmocka-dev openssl curl python3 ca-certificates)
# chromium: headless checks of the HTML reports; clang-14 and its runtime: the fuzz targets;
# systemd and man-db: systemd-analyze verify/security of the unit; podman and binutils (strip):
# the container image (tests/deploy)
TEST_PKGS=(nghttp2-client chromium clang-14 libclang-rt-14-dev systemd man-db podman binutils)

want=("${BUILD_PKGS[@]}")
[ "${1:-}" = "--test" ] && want+=("${TEST_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
