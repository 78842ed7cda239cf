#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on a device machine that has only Node (no npm registry, no
# apt): this checkout's node_modules, without what the check never loads (TypeScript, @types, other
# platforms' Dawn binaries, headless-gl's build tree, source maps, browser-only bundles), as one
# .gpu-check/node_modules.tgz under the 64 MiB a device run may carry. gpu-check.sh unpacks it
# when node_modules is absent. Run it after `npm ci` (with gl built, so its binding travels too).
# Device run: carry [".gpu-check"], command "bash bench/gpu-check.sh $OUT".
set -euo pipefail
cd "$(dirname "$0")/.."
limit=$((60 * 1024 * 1024))
mkdir -p .gpu-check
tar -czf .gpu-check/node_modules.tgz \
  --exclude='node_modules/typescript' --exclude='node_modules/@types' --exclude='node_modules/playwright-core' \
  --exclude='node_modules/webgpu/dist/win32-*' --exclude='node_modules/webgpu/dist/darwin-*' \
  --exclude='node_modules/gl/angle' --exclude='node_modules/gl/deps' --exclude='node_modules/gl/build/Release/obj.target' \
  --exclude='node_modules/gl/build/Release/.deps' --exclude='node_modules/mathjs/lib/browser' --exclude='*/dist/miniprogram' \
  --exclude='*.map' --exclude='node_modules/.cache' node_modules
bytes=$(stat -c %s .gpu-check/node_modules.tgz)
echo "packed .gpu-check/node_modules.tgz: $((bytes / 1024 / 1024)) MiB (limit $((limit / 1024 / 1024)) MiB with the tree)"
if [ "$bytes" -gt "$limit" ]; then echo "too large to carry to a device run" >&2; exit 1; fi
