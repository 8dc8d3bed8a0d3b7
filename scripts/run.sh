#!/usr/bin/env bash
# The README's run command: installs what is missing, brings up a five-host swarm on this machine
# (network namespaces, one shoald each) and shows a smoke check: a container on one host pings a
# container on another by name over an attachable overlay network.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bin/shoal cluster up

sock() { echo "unix:///run/shoal-cluster/shoal/$1/shoal.sock"; }
shoal() { local host=$1; shift; bin/shoal -H "$(sock "$host")" "$@"; }

echo
echo "smoke check: a container on shoal-worker-1 pings one on shoal-worker-2 by name"
cleanup() {
  shoal w2 rm -f smoke-target >/dev/null 2>&1 || true
  shoal m1 network rm smoke-net >/dev/null 2>&1 || true
}
trap cleanup EXIT
shoal m1 network create -d overlay --attachable smoke-net >/dev/null
shoal w2 run -d --name smoke-target --network smoke-net busybox sleep 300 >/dev/null
shoal w1 run --rm --network smoke-net busybox ping -c 2 smoke-target
shoal m1 node ls

cat <<'TXT'

The swarm is up. Point docker (or bin/shoal -H …) at any host, for example:
  export DOCKER_HOST=unix:///run/shoal-cluster/shoal/m1/shoal.sock
  docker service create --name web --replicas 3 --publish published=8080,target=80 busybox \
    sh -c 'hostname > /tmp/index.html && exec httpd -f -p 80 -h /tmp'
  bin/shoal cluster exec shoal-worker-1 -- wget -qO- http://198.51.100.4:8080/   # a task's hostname, via the routing mesh
  bin/shoal cluster ls; bin/shoal cluster down
TXT
