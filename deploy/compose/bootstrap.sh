#!/usr/bin/env bash
# Forms docker-compose.yml's swarm through the nodes' API sockets: `swarm init` on the first manager,
# then every other node joins with its role's token. Nodes already in a swarm are left alone, so it is
# safe to run again. Every wait is bounded; on giving up it exits non-zero and says what it waited for.
#
# Environment (defaults fit the compose file):
#   SHOAL_PEERS_DIR        holds <node>/shoal.sock for every node            (/peers)
#   SHOAL_MANAGERS         node names, the first one inits the swarm         (manager-1 manager-2 manager-3)
#   SHOAL_WORKERS          node names                                        (worker-1 worker-2)
#   SHOAL_ADVERTISE_IFACE  each node's interface on the shared network       (eth0)
#   SHOAL_CLI              the shoal CLI                                     (shoal on PATH)
#   SHOAL_BOOTSTRAP_TRIES  attempts, 1 s apart, for each wait                (60)
set -euo pipefail

peers=${SHOAL_PEERS_DIR:-/peers}
iface=${SHOAL_ADVERTISE_IFACE:-eth0}
cli=${SHOAL_CLI:-shoal}
tries=${SHOAL_BOOTSTRAP_TRIES:-60}
read -r -a managers <<<"${SHOAL_MANAGERS:-manager-1 manager-2 manager-3}"
read -r -a workers <<<"${SHOAL_WORKERS:-worker-1 worker-2}"
first=${managers[0]:?SHOAL_MANAGERS is empty}

say() { echo "bootstrap: $*" >&2; }
on() { local node=$1; shift; "$cli" -H "unix://$peers/$node/shoal.sock" "$@"; }
state() { on "$1" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null; }

# retry WHAT CMD...: runs CMD until it succeeds, at most $tries times.
retry() {
  local what=$1 i
  shift
  for ((i = 1; i <= tries; i++)); do
    "$@" && return 0
    sleep 1
  done
  say "gave up after $tries attempts: $what"
  return 1
}

# A join that failed half-way (e.g. the leader was still being elected) may have left the node in the
# swarm, so every attempt first asks the node itself.
join() {
  local node=$1 token=$2
  [ "$(state "$node")" = active ] && return 0
  on "$node" swarm join --token "$token" --advertise-addr "$iface" "$addr" >/dev/null
}

all_ready() {
  local rows
  rows=$(on "$first" node ls --format '{{.Status}}') || return 1
  [ "$(grep -c '^Ready$' <<<"$rows")" -eq "$total" ]
}

for node in "${managers[@]}" "${workers[@]}"; do
  retry "the daemon of $node answering on $peers/$node/shoal.sock" state "$node" >/dev/null
done

if [ "$(state "$first")" = active ]; then
  say "$first is already in a swarm"
else
  on "$first" swarm init --advertise-addr "$iface" >/dev/null
  say "swarm initialized on $first"
fi
addr="$(on "$first" info --format '{{.Swarm.NodeAddr}}'):2377"
manager_token=$(on "$first" swarm join-token -q manager)
worker_token=$(on "$first" swarm join-token -q worker)

for node in "${managers[@]:1}"; do retry "$node joining $addr as a manager" join "$node" "$manager_token"; done
for node in "${workers[@]}"; do retry "$node joining $addr as a worker" join "$node" "$worker_token"; done

total=$((${#managers[@]} + ${#workers[@]}))
retry "$total nodes Ready in node ls on $first" all_ready
say "swarm formed: $total nodes Ready"
on "$first" node ls
