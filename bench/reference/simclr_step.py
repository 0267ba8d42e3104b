#!/usr/bin/python3
"""PyTorch's side of `kindling bench simclr`: SimCLR training steps as Kindling's SimClrTask does them.

Two views of a synthetic batch (randn [N,3,32,32] each) through the headless encoder as one batch of 2N, the projection
head Linear(F,F)-ReLU-Linear(F,128), NT-Xent (temperature 0.5, the positive counted once), SGD momentum 0.9 and weight
decay 5e-4. The encoder is bench/reference/models.py's (the same layers and parameter count as Kindling's registry model)
with its head replaced by Identity. Plain eager NCHW, as a PyTorch user writes it.

    /usr/bin/python3 bench/reference/simclr_step.py --model fastnet --batch 256 --steps 10 --json
    /usr/bin/python3 bench/reference/simclr_driver.py        # both sides alternately, with the ratio
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402


def nt_xent(z_i, z_j, t):
    n = z_i.size(0)
    z = F.normalize(torch.cat([z_i, z_j]), dim=1)
    sim = (z @ z.t() / t).masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="fastnet", choices=["fastnet", "resnet18"])
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    encoder = models.build(a.model, classes=10)
    if a.model == "fastnet":
        features = encoder.head.in_features
        encoder.head = nn.Identity()
    else:
        features = encoder.fc.in_features
        encoder.fc = nn.Identity()
    head = nn.Sequential(nn.Linear(features, features), nn.ReLU(), nn.Linear(features, 128))
    params = list(encoder.parameters()) + list(head.parameters())
    sgd = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=5e-4)
    g = torch.Generator().manual_seed(a.seed)
    v1 = torch.randn(a.batch, 3, 32, 32, generator=g)
    v2 = torch.randn(a.batch, 3, 32, 32, generator=g)
    encoder.train()
    head.train()
    times = []
    for i in range(a.warmup + a.steps):
        start = time.perf_counter()
        sgd.zero_grad(set_to_none=True)
        z = head(encoder(torch.cat([v1, v2])))
        loss = nt_xent(z[:a.batch], z[a.batch:], 0.5)
        loss.backward()
        sgd.step()
        loss.item()
        if i >= a.warmup:
            times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    out = {"engine": "pytorch", "model": a.model, "batch": a.batch, "steps": a.steps, "median_ms": median,
           "mean_ms": statistics.mean(times), "images_per_second": a.batch / (median / 1000), "threads": torch.get_num_threads(),
           "torch": torch.__version__}
    print(json.dumps(out) if a.json else f"pytorch simclr step, {a.model} batch {a.batch} (2 views), {out['threads']} threads: "
          f"median {median:.1f} ms, {out['images_per_second']:.1f} images/s")


if __name__ == "__main__":
    main()
