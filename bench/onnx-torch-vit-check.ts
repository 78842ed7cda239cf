// Prints the checks of test/fixtures/torch-vit.ts for torchvision ViT exports (bench/onnx-torch-vit.sh):
// per file, parameters against torch's, the forward pass's relative error to torch's and to
// onnxruntime-node's logits, and the first BP step's loss against onnxruntime's on the same batch.
// Usage: npx tsx bench/onnx-torch-vit-check.ts META.json FILE.onnx...
import { checkTorchVit, readTorchVitMeta } from '../test/fixtures/torch-vit.js';

const [metaFile, ...files] = process.argv.slice(2);
if (!metaFile || files.length === 0) {
  process.stderr.write('usage: npx tsx bench/onnx-torch-vit-check.ts META.json FILE.onnx...\n');
  process.exit(2);
}
const meta = readTorchVitMeta(metaFile);
for (const file of files) {
  const c = await checkTorchVit(file, meta);
  const lossError = Math.abs(c.firstLoss - c.onnxruntimeLoss) / c.onnxruntimeLoss;
  process.stdout.write(
    `${file}: parameters ${c.parameters} (torch ${meta.parameters}); forward relative error to torch ${c.errorToTorch.toExponential(2)}, to onnxruntime ${c.errorToOnnxruntime.toExponential(2)}; first BP loss ${c.firstLoss.toFixed(6)} vs onnxruntime ${c.onnxruntimeLoss.toFixed(6)} (relative ${lossError.toExponential(2)})\n`,
  );
}
