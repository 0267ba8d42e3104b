#!/usr/bin/python3
"""configs/fashion-mnist-fast.yaml reimplemented in PyTorch, for the time-to-accuracy comparison:
FastNet width 0.5 (models.FastNet, 1x28x28), SGD lr 0.2 momentum 0.9 nesterov, weight decay 5e-4 on
weights only (Kindling's default groups: none on biases and norms), OneCycleLR (pct_start 0.25,
PyTorch's other defaults) stepped per batch, CE with label smoothing 0.1, batch 256 drop_last, one
loader worker, random crop 28 padding 2 + horizontal flip + normalize with the train split's mean/std,
11 epochs, each followed by evaluation on the 10,000 test images (batch 512).

Prints one JSON line per epoch (test accuracy, the epoch's seconds including evaluation, as Kindling's
metrics.jsonl counts them, and the running total) and a final line with the time to --target accuracy.

    /usr/bin/python3 bench/reference/fashion_fast.py [--target 0.9392] [--threads 2] [--epochs 11]
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

ROOT = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Images(torch.utils.data.Dataset):
    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        from PIL import Image
        return self.transform(Image.fromarray(self.images[i], mode="L")), int(self.labels[i])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", type=float, default=0.9392, help="test accuracy to reach (Kindling's: 93.92%% after 11 epochs)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--epochs", type=int, default=11)
    ap.add_argument("--limit", type=int, default=0, help="train on the first N images only (a smoke run)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--root", default=ROOT)
    args = ap.parse_args()
    import torchvision.transforms as T
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    started = time.perf_counter()

    xtr, ytr = idx(f"{args.root}/train-images-idx3-ubyte.gz"), idx(f"{args.root}/train-labels-idx1-ubyte.gz")
    xte, yte = idx(f"{args.root}/t10k-images-idx3-ubyte.gz"), idx(f"{args.root}/t10k-labels-idx1-ubyte.gz")
    if args.limit:
        xtr, ytr = xtr[:args.limit], ytr[:args.limit]
    scaled = xtr.astype(np.float64) / 255
    mean, std = float(scaled.mean()), float(scaled.std())
    norm = T.Normalize((mean,), (std,))
    train = Images(xtr, ytr, T.Compose([T.RandomCrop(28, padding=2), T.RandomHorizontalFlip(), T.ToTensor(), norm]))
    test = Images(xte, yte, T.Compose([T.ToTensor(), norm]))
    g = torch.Generator()
    g.manual_seed(args.seed)
    train_loader = torch.utils.data.DataLoader(train, batch_size=256, shuffle=True, drop_last=True, num_workers=1, persistent_workers=True, generator=g)
    test_loader = torch.utils.data.DataLoader(test, batch_size=512, num_workers=1, persistent_workers=True)

    model = models.build("fastnet", 10, 1, 28)
    decay = [p for p in model.parameters() if p.dim() > 1]
    rest = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": rest, "weight_decay": 0.0}], lr=0.2, momentum=0.9, nesterov=True)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=args.epochs * len(train_loader), pct_start=0.25)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

    total, reached = 0.0, None
    for epoch in range(1, args.epochs + 1):
        t = time.perf_counter()
        model.train()
        for x, y in train_loader:
            loss = criterion(model(x), y)
            loss.item()
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            sched.step()
        model.eval()
        correct = 0
        with torch.inference_mode():
            for x, y in test_loader:
                correct += (model(x).argmax(1) == y).sum().item()
        seconds = time.perf_counter() - t
        total += seconds
        acc = correct / len(test)
        if reached is None and acc >= args.target:
            reached = {"epoch": epoch, "seconds": total}
        print(json.dumps({"epoch": epoch, "test_accuracy": acc, "seconds": seconds, "total_seconds": total}), flush=True)
    print(json.dumps({"side": "pytorch", "recipe": "fashion-mnist-fast", "target": args.target, "reached": reached,
                      "final_accuracy": acc, "training_seconds": total, "process_seconds": time.perf_counter() - started,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
