"""PyTorch's side of Kindling's checkpoint interop test (tests/Kindling.Tests/Export/PyTorchInteropTests.cs).

usage: pytorch_interop.py DIR MODEL:CLASSES [MODEL:CLASSES ...]

MODEL is resnet18, mobilenetv2 (torchvision's) or seed-cnn (seed_cnn.py). For each, in DIR/MODEL/, the script
1. loads kindling.pt, the state dict Kindling wrote, strictly into PyTorch's model and saves its eval-mode
   logits on input.pt's "input" tensor as exported_logits.pt;
2. builds the model afresh with random weights and random BatchNorm statistics (so nothing is at its
   default), saves its state dict as pytorch_weights.pt and its eval-mode logits on the same input as
   pytorch_logits.pt, for Kindling to import and compare.
One process for all models: importing torch is the slow part.
Run with Debian's PyTorch (/usr/bin/python3, python3-torch, python3-torchvision).
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seed_cnn import SeedCnn  # noqa: E402


def build(name, classes, channels, size):
    if name == "resnet18":
        return torchvision.models.resnet18(num_classes=classes)
    if name == "mobilenetv2":
        return torchvision.models.mobilenet_v2(num_classes=classes)
    if name == "seed-cnn":
        return SeedCnn(num_classes=classes, in_channels=channels, input_size=size)
    raise SystemExit(f"unknown model {name}")


def run(name, classes, folder):
    x = torch.load(os.path.join(folder, "input.pt"))["input"]
    channels, size = x.shape[1], x.shape[2]

    model = build(name, classes, channels, size)
    model.load_state_dict(torch.load(os.path.join(folder, "kindling.pt")), strict=True)
    model.eval()
    with torch.no_grad():
        torch.save({"logits": model(x)}, os.path.join(folder, "exported_logits.pt"))

    torch.manual_seed(13)
    fresh = build(name, classes, channels, size)
    with torch.no_grad():
        for m in fresh.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(7)
    fresh.eval()
    torch.save(fresh.state_dict(), os.path.join(folder, "pytorch_weights.pt"))
    with torch.no_grad():
        torch.save({"logits": fresh(x)}, os.path.join(folder, "pytorch_logits.pt"))


def main():
    root = sys.argv[1]
    for spec in sys.argv[2:]:
        name, classes = spec.split(":")
        run(name, int(classes), os.path.join(root, name))


if __name__ == "__main__":
    main()
