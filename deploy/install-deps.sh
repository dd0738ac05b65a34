#!/usr/bin/env bash
# Installs Versa's build and test dependencies from Debian 12's packages.
# Idempotent: does nothing (no apt-get update) when everything is already installed. With
# --test also the test dependencies, npm packages included (tests/k8s/package-lock.json,
# tests/otlp/package-lock.json).
set -euo pipefail

BUILD_PKGS=(build-essential pkg-config meson ninja-build libh2o-evloop-dev libssl-dev help2man
            libyaml-dev libjansson-dev libcmocka-dev zlib1g-dev libbrotli-dev openssl curl python3 ca-certificates)
# chromium: headless checks of the HTML reports; clang-14 and its runtime: the fuzz targets;
# systemd and man-db: systemd-analyze verify/security of the unit; podman and binutils (strip):
# the container image (tests/deploy); libserver-starter-perl (start_server): zero-downtime
# upgrades (tests/integration/test_upgrade.py); prometheus (with promtool): /metrics scraped by
# a real server (test_prometheus.py, which runs its own on a free loopback port; on a machine
# with systemd the package also enables a prometheus.service on :9090, which the tests ignore)
TEST_PKGS=(nghttp2-client chromium clang-14 libclang-rt-14-dev systemd man-db podman binutils
           libserver-starter-perl prometheus)

want=("${BUILD_PKGS[@]}")
[ "${1:-}" = "--test" ] && want+=("${TEST_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# the Kubernetes manifest check and the test OTLP collector run on Node.js: the machine's own,
# else Debian's
if [ "${1:-}" = "--test" ] && ! command -v npm >/dev/null; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -ne 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "installing: ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages of the tests, exactly as locked: tests/k8s (kubernetes-models: the manifests'
# schemas, tests/deploy/test_kubernetes.py)
if [ "${1:-}" = "--test" ] && [ ! -d "$(dirname "$0")/../tests/k8s/node_modules/kubernetes-models" ]; then
    echo "installing: npm packages of tests/k8s" >&2
    (cd "$(dirname "$0")/../tests/k8s" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# tests/otlp (protobufjs: the test collector decodes the gateway's OTLP exports with the official
# .proto files, tests/integration/test_tracing.py)
if [ "${1:-}" = "--test" ] && [ ! -d "$(dirname "$0")/../tests/otlp/node_modules/protobufjs" ]; then
    echo "installing: npm packages of tests/otlp" >&2
    (cd "$(dirname "$0")/../tests/otlp" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
