#!/usr/bin/env bash
# Regenerates packages/proto/src/gen from packages/proto/proto with buf + ts-proto (both pinned in the
# root package.json, so the output is the same on every machine). The generated files are committed;
# scripts/check-proto-drift.sh verifies they match the .proto files.
#   usage: scripts/gen-proto.sh [OUT_DIR]   (default packages/proto/src/gen)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/packages/proto/src/gen}"
buf="$root/node_modules/.bin/buf"
plugin="$root/node_modules/.bin/protoc-gen-ts_proto"
for tool in "$buf" "$plugin"; do
  [ -x "$tool" ] || { echo "gen-proto: $tool missing; run npm ci at the repository root" >&2; exit 1; }
done

# One option per line; see ts-proto's README. Chosen for: grpc-js stubs, NodeNext ESM imports, uint64 as
# number (throws past 2^53), oneofs as discriminated unions, enums as `as const` objects, binary codec
# only (no proto-JSON), and no per-file common exports so index.ts can re-export every file flat.
opts=(
  outputServices=grpc-js
  esModuleInterop=true
  importSuffix=.js
  forceLong=number
  useOptionals=messages
  oneof=unions-value
  enumsAsLiterals=true
  removeEnumPrefix=true
  exportCommonSymbols=false
  outputJsonMethods=false
)
opt_json=$(printf '"%s",' "${opts[@]}")
template="{\"version\":\"v2\",\"plugins\":[{\"local\":\"$plugin\",\"out\":\".\",\"opt\":[${opt_json%,}]}]}"

rm -rf "$out"
mkdir -p "$out"
cd "$root/packages/proto/proto"
"$buf" generate . --template "$template" --output "$out"
