#!/usr/bin/python3
"""Exports a small VGG-style CIFAR model (with max pooling) to ONNX, with torch's logits for a fixed input.

The model is the reference's VGG (`vgg.py` of the DTKD/mdistiller code: blocks of 3x3 conv (bias) + BatchNorm + ReLU,
2x2 max pooling after blocks 0, 1 and 2, the fourth pool skipped at 32x32, global average pooling, `x.view(N, -1)`,
Linear), written out here so that no reference checkout is needed, with the vgg8 configuration "S" at 1/8 of its
widths (8, 16, 32, 64, 64 channels) and 10 classes, so the export stays small (about 0.3 MB) while every op of a
full vgg8 export is present (Conv, BatchNormalization, Relu, MaxPool, GlobalAveragePool, the view chain, Gemm).
`--width-divisor 1 --classes 100` writes the full reference vgg8 (16 MB) for manual checks.

As the golden exports (golden/README.md): every weight and BatchNorm statistic re-initialised from a fixed seed (the
random running statistics make BatchNorm a real transform), eval mode, opset 13, input `input` [batch,3,32,32]
(dynamic batch), output `logits`, BatchNorm kept as BatchNormalization nodes. The input is a fixed [4,3,32,32] batch
of multiples of 1/64 (exact in float32); `output_float32` / `output_float64` are torch's logits for it with the same
weights in float32 / float64, in the schema of golden/onnx/<model>.io.json.

Output, next to this script: <name>.onnx and <name>.io.json. Run with Debian's python3-torch and python3-onnx:
    /usr/bin/python3 generate_vgg_onnx.py                       # vgg8_slim.onnx, the committed test fixture
    /usr/bin/python3 generate_vgg_onnx.py --width-divisor 1 --classes 100 --name vgg8 --out /tmp
"""
import argparse
import hashlib
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
CFG_S = [[64], [128], [256], [512], [512]]  # the reference's vgg8 configuration
SEED = 1000


class VGG(nn.Module):
    """The reference's VGG with BatchNorm (forward as in vgg.py, feature outputs omitted)."""

    def __init__(self, cfg, num_classes):
        super().__init__()
        self.block0 = self._make_layers(cfg[0], 3)
        self.block1 = self._make_layers(cfg[1], cfg[0][-1])
        self.block2 = self._make_layers(cfg[2], cfg[1][-1])
        self.block3 = self._make_layers(cfg[3], cfg[2][-1])
        self.block4 = self._make_layers(cfg[4], cfg[3][-1])
        self.pool0 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.pool1 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.pool2 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.pool3 = nn.MaxPool2d(kernel_size=2, stride=2)
        self.pool4 = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Linear(cfg[4][-1], num_classes)

    def forward(self, x):
        h = x.shape[2]
        x = F.relu(self.block0(x))
        x = self.pool0(x)
        x = F.relu(self.block1(x))
        x = self.pool1(x)
        x = F.relu(self.block2(x))
        x = self.pool2(x)
        x = F.relu(self.block3(x))
        if h == 64:
            x = self.pool3(x)
        x = F.relu(self.block4(x))
        x = self.pool4(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)

    @staticmethod
    def _make_layers(widths, in_channels):
        layers = []
        for v in widths:
            layers += [nn.Conv2d(in_channels, v, kernel_size=3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            in_channels = v
        return nn.Sequential(*layers[:-1])  # the block's last ReLU is applied in forward


def reinitialise(model, generator):
    """Every parameter and BatchNorm statistic from the seeded generator, BatchNorm statistics random."""
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=generator) * 1.5 + 0.5)
            elif name.endswith("running_mean"):
                t.copy_(torch.randn(t.shape, generator=generator) * 0.2)
            elif t.dim() > 1:
                fan_in = t[0].numel()
                t.copy_(torch.randn(t.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=generator) * 0.1 + (1.0 if name.endswith(".weight") else 0.0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width-divisor", type=int, default=8)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--name", default="vgg8_slim")
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()

    cfg = [[w // args.width_divisor for w in block] for block in CFG_S]
    model = VGG(cfg, args.classes)
    reinitialise(model, torch.Generator().manual_seed(SEED))
    model.eval()

    onnx_file = os.path.join(args.out, args.name + ".onnx")
    x = torch.randint(-128, 128, (4, 3, 32, 32), generator=torch.Generator().manual_seed(SEED + 1)) / 64.0
    torch.onnx.export(model, x, onnx_file, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      training=torch.onnx.TrainingMode.PRESERVE)  # model.eval(): BatchNorm kept, not fused
    with torch.no_grad():
        out32 = model(x)
        out64 = model.double()(x.double())

    import onnx
    ops = sorted({n.op_type for n in onnx.load(onnx_file).graph.node})
    with open(onnx_file, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    io = {
        "model": args.name,
        "architecture": "reference VGG, configuration S (vgg8) with widths divided by %d: %s" % (args.width_divisor,
                                                                                                cfg),
        "num_classes": args.classes,
        "onnx_file": os.path.basename(onnx_file),
        "onnx_sha256": sha,
        "opset": 13,
        "input_name": "input",
        "output_name": "logits",
        "mode": "eval (BatchNorm uses running statistics)",
        "weights": "every parameter and BatchNorm statistic re-initialised from torch.Generator seed %d" % SEED,
        "ops": ops,
        "torch_version": torch.__version__,
        "generator": os.path.basename(__file__),
        "input_shape": list(x.shape),
        "input_note": "values are multiples of 1/64, exactly representable in float32",
        "input": x.tolist(),
        "output_shape": list(out32.shape),
        "output_float32": out32.double().tolist(),
        "output_float64": out64.tolist(),
        "output_float64_note": "same weights and input evaluated with torch in float64",
    }
    with open(os.path.join(args.out, args.name + ".io.json"), "w") as f:
        json.dump(io, f)
        f.write("\n")
    print("wrote %s (%d bytes, ops %s)" % (onnx_file, os.path.getsize(onnx_file), ", ".join(ops)))


if __name__ == "__main__":
    main()
