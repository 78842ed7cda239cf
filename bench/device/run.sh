#!/usr/bin/env bash
# The device check on a bare NVIDIA machine: needs bash, tar, dpkg and coreutils (and the NVIDIA
# driver), nothing else. Unpacks the kit (pack.sh) into a temporary folder with `dpkg -x`, prints the
# carried Node's path and version, tries each route to the GPU and records its renderer or adapter
# string: headless-gl through EGL (no display, the NVIDIA EGL vendor file), headless-gl through GLX on
# an Xvfb with __GLX_VENDOR_LIBRARY_NAME=nvidia, Dawn through Vulkan (the NVIDIA ICD). A route counts
# only if that string names NVIDIA. On the first that counts: the parity suite, the kernel benchmark
# beside PyTorch (the machine's python3 and torch, same shapes), one ALR MNIST epoch (K 64) with
# --profile, and `simulate` of the same step on an NVIDIA-like hardware model. Everything goes to OUT
# (default $OUT, else ./device-check-out): one log and JSON per step and summary.txt.
# --dry-run: the same check on the CPU gpu.js backends (webasm, cpu; training on a 1024-sample slice),
# so a broken kit shows before a GPU is lent. Exit: 0 done, 1 a step failed, 2 bad usage or no kit,
# 3 no route reached an NVIDIA GPU (not a dry run; the CPU check still ran).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dry=0
out=""
for a in "$@"; do
  case "$a" in
    --dry-run) dry=1 ;;
    -h | --help) sed -n '2,14p' "$0" | cut -c3-; exit 0 ;;
    -*) echo "run.sh: unknown option \"$a\"; allowed: --dry-run, -h, and an output folder" >&2; exit 2 ;;
    *) out=$a ;;
  esac
done
out=${out:-${OUT:-$PWD/device-check-out}}
kit=${DEVICE_KIT:-$here/kit}
if ! ls "$kit"/node-*.deb "$kit/app.deb" > /dev/null 2>&1; then
  echo "run.sh: no kit in $kit (expected node-*.deb and app.deb; hint: bash bench/device/pack.sh)" >&2
  exit 2
fi
mkdir -p "$out"
summary="$out/summary.txt"
: > "$summary"
note() { printf '%s\n' "$*" | tee -a "$summary"; }
work=$(mktemp -d)
xvfb_pid=""
trap '[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2> /dev/null; rm -rf "$work"' EXIT

t0=$SECONDS
for d in "$kit"/*.deb; do dpkg -x "$d" "$work" || exit 2; done
mkdir -p "$work/gl"
for d in "$kit"/debs/*.deb; do dpkg -x "$d" "$work/gl" || exit 2; done
node="$work/node/bin/node"
app="$work/app"
note "device check $(date -u +%FT%TZ)$([ "$dry" = 1 ] && echo ', DRY RUN on CPU backends'); kit unpacked in $((SECONDS - t0)) s"
note "carried node: $("$node" -p 'process.execPath + " " + process.version' 2>&1)"
command -v nvidia-smi > /dev/null && note "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -2)"
export LD_LIBRARY_PATH="$work/gl/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export ALRFLOW_TFJS_THREADS=1
nv=/usr/local/nvidia/share
[ -f "$nv/vulkan/icd.d/nvidia_icd.json" ] && export VK_DRIVER_FILES="$nv/vulkan/icd.d/nvidia_icd.json"
[ -f "$nv/glvnd/egl_vendor.d/10_nvidia.json" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$nv/glvnd/egl_vendor.d/10_nvidia.json"

# step NAME LIMIT CMD...: runs CMD for at most LIMIT seconds (the whole check must end within 8
# minutes) with stdout to NAME.json and stderr to NAME.log; notes rc (124: stopped at LIMIT) and time.
step() {
  local name=$1 limit=$2 t=$SECONDS rc
  shift 2
  timeout "$limit" "$@" > "$out/$name.json" 2> "$out/$name.log"
  rc=$?
  [ "$rc" = 124 ] && echo "$name: stopped at its $limit s limit" >> "$out/$name.log"
  printf '[%s] rc=%s in %s s\n' "$name" "$rc" "$((SECONDS - t))" >> "$out/steps.txt"
  return $rc
}

# Starts the machine's Xvfb on a free display (-displayfd writes its number) for the GLX route.
xdisplay=""
start_xvfb() {
  local xvfb
  xvfb=$(command -v Xvfb) || return 1
  "$xvfb" -displayfd 3 -screen 0 1024x768x24 -nolisten tcp 3> "$out/xvfb.display" > "$out/xvfb.log" 2>&1 &
  xvfb_pid=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    xdisplay=$(cat "$out/xvfb.display" 2> /dev/null)
    [ -n "$xdisplay" ] && return 0
    sleep 0.5
  done
  return 1
}

# Route environments: each route's probe runs in its own; the counted route's stays exported.
route_env() {
  case "$1" in
    egl) echo "DISPLAY=" ;;
    glx) echo "DISPLAY=:$xdisplay __GLX_VENDOR_LIBRARY_NAME=nvidia" ;;
    vulkan) echo "DISPLAY=" ;;
  esac
}
chosen=""
for route in egl glx vulkan; do
  if [ "$route" = glx ] && ! start_xvfb; then
    printf '{"route":"glx","backend":"headlessgl","renderer":null,"counts":false,"reason":"no Xvfb on this machine (the kit does not carry Xvfb and Mesa: 33 MiB of .debs, over its budget)"}\n' > "$out/route-glx.json"
    continue
  fi
  # shellcheck disable=SC2046
  step "route-$route" 15 env $(route_env "$route") "$node" "$app/check.mjs" route "$route"
  if [ -z "$chosen" ] && "$node" -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).counts ? 0 : 1)' "$out/route-$route.json" 2> /dev/null; then chosen=$route; fi
done

if [ -n "$chosen" ]; then
  # shellcheck disable=SC2046
  export $(route_env "$chosen")
  [ -z "${DISPLAY:-}" ] && unset DISPLAY
  backend=$("$node" -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).backend' "$out/route-$chosen.json")
  modes=$backend small="" limit=()
else
  backend=webasm modes="webasm cpu" small=--small limit=(--limit 1024 --test-limit 1000)
  unset DISPLAY
  [ "$dry" = 1 ] || note "no route reached an NVIDIA GPU: the check runs on the CPU backends only, to verify the kit"
fi
note "backend for the check: $backend (parity on: $modes)"

rc=0
# shellcheck disable=SC2086
step parity 60 "$node" "$app/check.mjs" parity $modes || rc=1
step bench 60 "$node" "$app/check.mjs" bench "$backend" $small || rc=1
if command -v python3 > /dev/null; then
  step torch 45 env -u LD_LIBRARY_PATH python3 "$here/torch-bench.py" "$out/bench.json" || note "PyTorch comparison failed (see torch.log)"
else
  echo "python3 not found: the PyTorch comparison is skipped" | tee "$out/torch.log" >> "$summary"
fi
step train 200 "$node" "$app/dist/alrflow.js" train --model mlp --dataset mnist --method alr --copies 64 --batch 64 --epochs 1 \
  --backend "$backend" --profile --quiet --out "$out/train" --force "${limit[@]}" || rc=1
hw=gpu-like
[ -f "$app/hw-models/h100-like.json" ] && hw=h100-like
echo "$hw" > "$out/simulate.hw"
step simulate 30 "$node" "$app/dist/alrflow.js" simulate --model mlp --method alr --copies 64 --batch 64 --hw "$hw" --schedule sequential --json || rc=1
"$node" "$app/check.mjs" summary "$out" >> "$summary" 2>&1 || rc=1
cat "$out/steps.txt" >> "$summary"
note "done in $((SECONDS - t0)) s (limit 480 s); summary: $summary"
if [ "$rc" = 0 ] && [ -z "$chosen" ] && [ "$dry" = 0 ]; then exit 3; fi
exit "$rc"
