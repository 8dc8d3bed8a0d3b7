# A shoald node image: one container is one host of the swarm (see docker-compose.yml).
# Runs privileged: shoald creates network namespaces, bridges, VXLAN links and nftables rules, and runc
# containers, exactly as on a real host.
FROM node:20-bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      runc conmon nftables iproute2 iptables iputils-ping busybox-static util-linux ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/shoal
# Manifests first, so that source edits do not invalidate the npm ci layer.
COPY package.json package-lock.json ./
COPY packages/proto/package.json packages/proto/
COPY packages/raft/package.json packages/raft/
COPY packages/manager/package.json packages/manager/
COPY packages/agent/package.json packages/agent/
COPY packages/daemon/package.json packages/daemon/
COPY packages/cli/package.json packages/cli/
COPY e2e/package.json e2e/
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN npm run build --silent

ENV PATH=/opt/shoal/bin:$PATH
VOLUME /var/lib/shoal
# The API socket lives in a directory of its own so that it can be bind-mounted to the host without
# exposing the exec root. scripts/check-compose.sh runs these flags (plus each compose service's
# command) through shoald's own flag parser.
ENTRYPOINT ["/opt/shoal/bin/shoald", "--data-root", "/var/lib/shoal", "--exec-root", "/run/shoal", "-H", "unix:///run/shoal-api/shoal.sock", "--log-level", "info"]
