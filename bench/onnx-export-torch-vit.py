# Exports torchvision's VisionTransformer (torch 1.13's torch.onnx.export with its defaults: constant
# folding on, nn.MultiheadAttention as MatMul/Slice/Reshape/Transpose, LayerNorm epsilon 1e-6) at the
# given opsets, and writes a JSON sidecar with torch's parameter count and its logits on a fixed input
# (x[i] = sin(0.37 i), the sample shape [3, size, size]) for the alrflow side to compare against.
# Every parameter is moved off torchvision's initialisation (its head starts at zero, so the logits
# would be zero) by a seeded normal draw of 0.1.
# Usage: python3 onnx-export-torch-vit.py OUTDIR PREFIX [--size 28 --patch 7 --layers 2 --heads 4 --hidden 64
#   --mlp 128 --opsets 13 17 --no-constant-folding]; writes OUTDIR/PREFIX-opsetN.onnx and OUTDIR/PREFIX.json
import argparse
import json
import math
import sys

import torch
import torchvision

parser = argparse.ArgumentParser()
parser.add_argument("outdir")
parser.add_argument("prefix")
for name, default in [("size", 28), ("patch", 7), ("layers", 2), ("heads", 4), ("hidden", 64), ("mlp", 128),
                      ("classes", 10), ("seed", 0)]:
    parser.add_argument(f"--{name}", type=int, default=default)
parser.add_argument("--opsets", type=int, nargs="+", default=[13, 17])
parser.add_argument("--no-constant-folding", action="store_true",
                    help="keep the weight Transposes and shape arithmetic in the file (the importer folds them)")
a = parser.parse_args()

torch.manual_seed(a.seed)
model = torchvision.models.VisionTransformer(image_size=a.size, patch_size=a.patch, num_layers=a.layers,
                                             num_heads=a.heads, hidden_dim=a.hidden, mlp_dim=a.mlp,
                                             num_classes=a.classes)
model.eval()
with torch.no_grad():
    for p in model.parameters():
        p.add_(0.1 * torch.randn_like(p))
n = 3 * a.size * a.size
x = torch.tensor([math.sin(0.37 * i) for i in range(n)], dtype=torch.float32).reshape(1, 3, a.size, a.size)
with torch.no_grad():
    logits = model(x)[0].tolist()
files = []
for opset in a.opsets:
    path = f"{a.outdir}/{a.prefix}-opset{opset}.onnx"
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["pixels"], output_names=["logits"],
                      do_constant_folding=not a.no_constant_folding)
    files.append(path)
parameters = sum(p.numel() for p in model.parameters())
meta = {"torch": torch.__version__, "torchvision": torchvision.__version__, "size": a.size, "patch": a.patch,
        "layers": a.layers, "heads": a.heads, "hidden": a.hidden, "mlp": a.mlp, "classes": a.classes,
        "seed": a.seed, "opsets": a.opsets, "parameters": parameters, "input": "x[i] = sin(0.37 i), shape [1, 3, size, size]",
        "logits": logits}
with open(f"{a.outdir}/{a.prefix}.json", "w") as f:
    json.dump(meta, f, indent=2)
    f.write("\n")
print(f"torch parameters: {parameters}; wrote {', '.join(files)}", file=sys.stderr)
