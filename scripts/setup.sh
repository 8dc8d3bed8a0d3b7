#!/usr/bin/env bash
# Installs what a fresh machine of this kind lacks (Debian packages, npm packages) and builds shoal.
# Idempotent: safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in runc:runc conmon:conmon nft:nftables iptables:iptables ping:iputils-ping busybox:busybox-static \
            iperf3:iperf3 ip:iproute2 nsenter:util-linux skopeo:skopeo docker-registry:docker-registry \
            htpasswd:apache2-utils openssl:openssl; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "setup: need root to install ${need[*]}" >&2; exit 1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Tests start their own registries inside their namespaces; the package's own service is not wanted.
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled docker-registry >/dev/null 2>&1; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
