#!/usr/bin/env bash
# Fails when packages/proto/src/gen is not exactly what scripts/gen-proto.sh makes from the .proto files
# (someone edited a .proto without regenerating, or edited generated code by hand).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
committed="$root/packages/proto/src/gen"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT

bash "$root/scripts/gen-proto.sh" "$fresh"
if ! diff -ru "$committed" "$fresh" >&2; then
  echo "check-proto-drift: packages/proto/src/gen is out of date with packages/proto/proto;" \
       "run scripts/gen-proto.sh and commit the result" >&2
  exit 1
fi
echo "check-proto-drift: generated code matches the .proto files"
