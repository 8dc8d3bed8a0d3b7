#!/usr/bin/env bash
# CI check of the Docker deployment (the image is never built here: no Docker engine runs in CI):
# docker-compose.yml is valid for Debian's docker-compose, and the image's ENTRYPOINT plus each node's
# command are flags shoald's own parser accepts (deploy/compose/check-image.mjs). Needs a build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "check-compose: need root to install docker-compose" >&2; exit 1; fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

# `config` reads only the file; keep it from looking for a daemon or the caller's overrides.
compose() { env -u DOCKER_HOST -u COMPOSE_FILE docker-compose -f docker-compose.yml "$@"; }
compose config -q
# docker-compose runs on its own python, which has PyYAML by dependency.
python=$(sed -n '1s/^#! *//p' "$(command -v docker-compose)")
case $python in */python*) ;; *) python=python3 ;; esac
compose config | $python -c 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)' |
  node deploy/compose/check-image.mjs "$PWD"
echo "check-compose: docker-compose.yml and the shoald image agree with shoald"
