#!/bin/sh
# Checks the ONNX importer against PyTorch's own export of torchvision's VisionTransformer (needs
# /usr/bin/python3, or $PYTHON, with torch 1.13 and torchvision; CI has no torch, so the tests use the
# small committed export test/fixtures/torch-vit-opset13.onnx / -opset17.onnx that this script's
# `fixture` argument rewrites). Exports ViT(image_size=28, patch_size=7, num_layers=2, num_heads=4,
# hidden_dim=64, mlp_dim=128, num_classes=10) at opsets 13 and 17 (and 13 without constant folding),
# prints `alrflow models --json` for each, then per file: parameters against torch's, the forward
# pass's relative error to torch's and onnxruntime-node's logits, and the first BP step's loss
# against onnxruntime's on the same batch.
# Usage: bench/onnx-torch-vit.sh            (the brief's ViT, in a temporary directory)
#        bench/onnx-torch-vit.sh fixture    (rewrites the committed fixtures)
set -eu
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
python=${PYTHON:-/usr/bin/python3}
here=$(dirname "$0")
if [ "${1:-}" = fixture ]; then
  "$python" "$here/onnx-export-torch-vit.py" test/fixtures torch-vit --size 14 --patch 7 --layers 1 --heads 2 --hidden 8 --mlp 16
  npx prettier --write test/fixtures/torch-vit.json >/dev/null
  npx tsx "$here/onnx-torch-vit-check.ts" test/fixtures/torch-vit.json test/fixtures/torch-vit-opset13.onnx test/fixtures/torch-vit-opset17.onnx
  exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$python" "$here/onnx-export-torch-vit.py" "$dir" vit
"$python" "$here/onnx-export-torch-vit.py" "$dir" vit-unfolded --opsets 13 --no-constant-folding
for f in "$dir"/vit-opset13.onnx "$dir"/vit-opset17.onnx "$dir"/vit-unfolded-opset13.onnx; do
  npx tsx src/cli/main.ts models "$f" --json
done
npx tsx "$here/onnx-torch-vit-check.ts" "$dir/vit.json" "$dir/vit-opset13.onnx" "$dir/vit-opset17.onnx" "$dir/vit-unfolded-opset13.onnx"
