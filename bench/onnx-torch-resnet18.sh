#!/bin/sh
# Checks the ONNX importer once against PyTorch's own export of torchvision's ResNet-18 (needs /usr/bin/python3, or $PYTHON,
# with torch and torchvision; the tests build the same network in TypeScript instead, since CI has no
# torch). Prints `alrflow models --json` and compares --print-topology with test/fixtures/sim-resnet18.csv.
# Expected: 11689512 parameters, 1814073344 forward MACs per sample, no topology difference.
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE "${PYTHON:-/usr/bin/python3}" "$(dirname "$0")/onnx-export-resnet18.py" "$dir/resnet18.onnx"
npx tsx src/cli/main.ts models "$dir/resnet18.onnx" --json
npx tsx src/cli/main.ts scalesim --topology "$dir/resnet18.onnx" --print-topology > "$dir/topology.csv"
cut -d, -f2- "$dir/topology.csv" > "$dir/ours"
cut -d, -f2- test/fixtures/sim-resnet18.csv > "$dir/fixture"
diff "$dir/ours" "$dir/fixture" && echo "padded topology: same as test/fixtures/sim-resnet18.csv"
