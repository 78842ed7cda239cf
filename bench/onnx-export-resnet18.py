# Exports torchvision's ResNet-18 (random weights) at 224x224 as ONNX opset 13. training=PRESERVE on a
# model in eval mode keeps BatchNormalization nodes (EVAL would fuse them into the convolutions, which
# adds conv biases and drops the batch-norm parameters). Usage: python3 onnx-export-resnet18.py OUT.onnx
import sys

import torch
import torchvision

model = torchvision.models.resnet18()
model.eval()
torch.onnx.export(model, torch.randn(1, 3, 224, 224), sys.argv[1], opset_version=13,
                  training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
print("torch parameters:", sum(p.numel() for p in model.parameters()), file=sys.stderr)
