#!/bin/sh
# A real dockerd as one namespace host of the cluster harness (packages/cli/src/cluster), which appends
# "--data-root D --exec-root E -H unix://S --hostname N" to this command and enters the host's network
# namespace with nsenter before running it.
# - dockerd has no --hostname: a UTS namespace of its own gives each host its name, which swarm reports
#   as the node's hostname. unshare and sh exec, so the harness's pid is dockerd's own.
# - everything per host lives under its data and exec roots (the containerd dockerd starts for itself
#   too); the pidfile too, since the default /var/run/docker.pid would be shared by every host.
set -eu
name=
set -- "$@" --end--
while [ "$1" != --end-- ]; do
  case "$1" in
    --hostname) name=$2; shift 2 ;;
    --exec-root) exec_root=$2; set -- "$@" "$1" "$2"; shift 2 ;;
    *) set -- "$@" "$1"; shift ;;
  esac
done
shift
[ -n "$name" ] || { echo "dockerd-host: --hostname missing" >&2; exit 2; }
exec unshare --uts -- sh -c 'hostname "$0" && exec "$@"' "$name" \
  dockerd "$@" --pidfile "$exec_root/dockerd.pid" ${ANCHOR_DOCKERD_FLAGS:-}
