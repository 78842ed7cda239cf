#!/usr/bin/env bash
# The prepared device check: on a machine with an NVIDIA GPU and Node (nothing else assumed: no
# apt, no network; the repository is carried with its node_modules), runs
#   1. `alrflow backends --json` (which GPU backends load, with their probe speed),
#   2. the parity suite (every kernel against the float64 reference) on every backend that loads,
#   3. bench:kernels on the GPU backends against TF.js measured in the same run,
#   4. a 1-epoch ALR MNIST run (K = 64) on the fastest GPU backend that loads,
# and writes one summary file. Each step's full output goes to its own log beside the summary.
# On a bare device machine, node_modules comes from .gpu-check/node_modules.tgz (bench/gpu-check-pack.sh).
# Usage: bash bench/gpu-check.sh [OUT_DIR]   (default: $OUT, else ./gpu-check-out); GPU_CHECK_XVFB=off: no Xvfb
# Not a test: it never fails on a missing GPU; it records what happened, step by step.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-${OUT:-gpu-check-out}}"
mkdir -p "$out"
summary="$out/gpu-check-summary.txt"
: > "$summary"
note() { printf '%s\n' "$*" | tee -a "$summary"; }

# headless-gl needs an X display: use Xvfb where it exists (on a GPU machine it renders on llvmpipe,
# not the GPU; a real display or a GPU X server is what gives headless-gl the GPU).
wrap=()
if [ -z "${DISPLAY:-}" ] && [ "${GPU_CHECK_XVFB:-on}" != off ] && command -v xvfb-run >/dev/null; then wrap=(xvfb-run -a -s "-screen 0 1024x768x24"); fi
run() { local name="$1"; shift; local t0=$SECONDS; "${wrap[@]}" "$@" > "$out/$name.log" 2>&1; local rc=$?; note "[$name] rc=$rc in $((SECONDS - t0)) s: $*"; return $rc; }

if [ ! -d node_modules ] && [ -f .gpu-check/node_modules.tgz ]; then tar -xzf .gpu-check/node_modules.tgz; fi
note "gpu-check $(date -u +%FT%TZ) on $(uname -srm); node $(node --version)"
command -v nvidia-smi >/dev/null && note "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -4)" || note "nvidia-smi: not found"
note "display: ${DISPLAY:-none}; xvfb-run: $(command -v xvfb-run || echo none); chromium: $(command -v "${ALRFLOW_CHROMIUM:-/usr/bin/chromium}" || echo none)"

run backends node src/cli/alrflow.mjs backends --json
gpu=$(node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").replace(/^[^{]*/, ""));
const gpus = r.backends.filter((b) => ["webgpu", "headlessgl", "browser-webgpu", "browser-webgl2"].includes(b.backend));
for (const b of gpus) console.error(`  ${b.backend}: ${b.works ? `works, ${b.probeGflops?.toFixed(2)} GFLOP/s, ${b.engine}` : `no: ${b.reason}`}`);
const best = gpus.filter((b) => b.works).sort((x, y) => (y.probeGflops ?? 0) - (x.probeGflops ?? 0))[0];
console.log(best ? best.backend : "");
' "$out/backends.log" 2>> "$summary")
note "fastest GPU backend that loads: ${gpu:-none}"

run parity npx vitest run test/parity --reporter=default
grep -aE "Test Files|Tests |skipped:" "$out/parity.log" | sed "s/\x1b\[[0-9;]*m//g" | awk "!seen[\$0]++" | tee -a "$summary"

if [ -n "$gpu" ]; then
  works=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").replace(/^[^{]*/, "")); console.log(r.backends.filter((b) => b.works && !["reference", "webasm", "cpu"].includes(b.backend)).map((b) => b.backend).join(","))' "$out/backends.log")
  run bench-kernels npx tsx bench/kernels.bench.ts --backends "$works" --sizes 256,512,1024 --no-step
  sed 's/\x1b\[[0-9;]*m//g' "$out/bench-kernels.log" | tail -40 >> "$summary"
  run train-alr-mnist node src/cli/alrflow.mjs train --model mlp --dataset mnist --method alr --copies 64 --epochs 1 --backend "$gpu" --out "$out/alr-mnist" --force
  tail -3 "$out/train-alr-mnist.log" | tee -a "$summary"
else
  note "no GPU backend loads: bench:kernels and the ALR MNIST run skipped (see backends.log for each reason)"
fi
note "summary: $summary"
