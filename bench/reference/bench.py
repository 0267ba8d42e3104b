#!/usr/bin/python3
"""PyTorch side of `kindling bench`: the same cases, flags and JSON shape.

    /usr/bin/python3 bench/reference/bench.py train --model seed-cnn --batch 128 --threads 2 --steps 20 --json

Cases: train (forward + label-smoothed CE + backward + AdamW on one synthetic batch), eval (eager,
inference mode), data (DataLoader alone, standard CIFAR augmentation), e2e (DataLoader feeding the
training step), matmul (2048^2 fp32). Written for Debian's python3-torch 1.13 with OpenBLAS.
"""
import argparse
import gc
import json
import os
import platform
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
FLOP_CONVENTION = "train/e2e: 6 x MACs per image (forward 2 x MACs, backward 4 x MACs); eval: 2 x MACs; matmul: 2 n^3"


def machine():
    cpu = None
    if os.path.exists("/proc/cpuinfo"):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "logical_cores": os.cpu_count(), "intra_op_threads": torch.get_num_threads(),
            "torch": torch.__version__, "python": platform.python_version(), "numpy": np.__version__,
            "blas": "OpenBLAS (libopenblas0-pthread)" if "BLAS_INFO=generic" in torch.__config__.show() else torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0],
            "date": time.strftime("%Y-%m-%d", time.gmtime())}


def adamw(model):
    """AdamW as Kindling's benchmarks use it: lr 1e-3, weight decay 0.05 on weights, none on biases and norms."""
    decay = [p for p in model.parameters() if p.dim() > 1]
    rest = [p for p in model.parameters() if p.dim() <= 1]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": rest, "weight_decay": 0.0}], lr=1e-3)


class Clock:
    """Time per phase over the timed steps (CPU ops are synchronous, so wall time is cost)."""

    def __init__(self):
        self.phases = dict(data=0.0, forward=0.0, backward=0.0, optimizer=0.0)
        self.steps = 0
        self.start = self.last = self.step_start = None
        self.total = 0.0
        self.best = float("inf")

    def begin(self):
        self.start = self.last = self.step_start = time.perf_counter()

    def lap(self, phase):
        now = time.perf_counter()
        self.phases[phase] += now - self.last
        self.last = now

    def end_step(self):
        self.last = time.perf_counter()
        self.best = min(self.best, self.last - self.step_start)
        self.step_start = self.last
        self.steps += 1

    def stop(self):
        self.total = time.perf_counter() - self.start

    def split(self):
        n = max(self.steps, 1)
        out = {k: v * 1000 / n for k, v in self.phases.items()}
        out["step"] = self.total * 1000 / n
        out["best_step"] = self.best * 1000 if self.steps else 0.0
        return out


class TrainStep:
    def __init__(self, model, channels_last):
        self.model = model.train()
        self.channels_last = channels_last
        if channels_last:
            model.to(memory_format=torch.channels_last)
        self.optimizer = adamw(model)
        self.criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

    def run(self, x, y, clock):
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        logits = self.model(x)
        loss = self.criterion(logits, y)
        loss.item()
        correct = (logits.argmax(1) == y).sum().item()
        clock and clock.lap("forward")
        loss.backward()
        clock and clock.lap("backward")
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        if clock:
            clock.lap("optimizer")
            clock.end_step()
        return correct


class ArrayDataset(torch.utils.data.Dataset):
    """torchvision's CIFAR10 path: uint8 HWC arrays, each image through PIL and the transforms."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        from PIL import Image
        return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


def dataset(args):
    import torchvision.transforms as T
    transform = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize(MEAN, STD)])
    if args.data:
        images = np.fromfile(args.data + ".u8", dtype=np.uint8).reshape(-1, 32, 32, 3)
        labels = np.fromfile(args.data + ".labels", dtype=np.uint8).astype(np.int64)
    else:
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(10_000, 32, 32, 3), dtype=np.uint8)
        labels = np.arange(10_000) % 10
    if args.images:
        images, labels = images[:args.images], labels[:args.images]
    return ArrayDataset(images, labels, transform)


def loader(args):
    g = torch.Generator()
    g.manual_seed(args.seed)
    return torch.utils.data.DataLoader(dataset(args), batch_size=args.batch, shuffle=True, num_workers=args.workers,
                                       persistent_workers=args.workers > 0, generator=g)


def synthetic(args):
    return torch.randn(args.batch, 3, 32, 32), torch.randint(0, 10, (args.batch,))


def case_train(args, clock):
    model = models.build(args.model)
    x, y = synthetic(args)
    step = TrainStep(model, args.channels_last)
    for i in range(args.warmup + args.steps):
        if i == args.warmup:
            clock.begin()
        step.run(x, y, clock if i >= args.warmup else None)
    clock.stop()
    return model, 6, {}


def case_eval(args, clock):
    model = models.build(args.model).eval()
    x, _ = synthetic(args)
    if args.channels_last:
        model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        for i in range(args.warmup + args.steps):
            if i == args.warmup:
                clock.begin()
            model(x).argmax(1)
            if i >= args.warmup:
                clock.lap("forward")
                clock.end_step()
    clock.stop()
    return model, 2, {}


def case_data(args, clock):
    data = loader(args)
    i = 0
    while i < args.warmup + args.steps:
        for _ in data:
            if i == args.warmup:
                clock.begin()  # after the warm-up batches: the clock starts at the next wait
            elif i > args.warmup:
                clock.lap("data")
                clock.end_step()
            i += 1
            if i >= args.warmup + args.steps + 1:
                break
    clock.stop()
    return None, 0, {}


def case_e2e(args, clock):
    model = models.build(args.model)
    step = TrainStep(model, args.channels_last)
    x, y = synthetic(args)
    for _ in range(args.warmup):
        step.run(x, y, None)
    data = loader(args)
    images = correct = 0
    clock.begin()
    for _ in range(args.epochs):
        for x, y in data:
            clock.lap("data")
            correct += step.run(x, y, clock)
            images += len(y)
    clock.stop()
    return model, 6, {"images": images, "accuracy": correct / images}


def case_matmul(args, clock, n=2048):
    a, b = torch.randn(n, n), torch.randn(n, n)
    for i in range(args.warmup + args.steps):
        if i == args.warmup:
            clock.begin()
        a.mm(b)
        if i >= args.warmup:
            clock.lap("forward")
            clock.end_step()
    clock.stop()
    return None, 0, {"gflops": 2.0 * n ** 3 * clock.steps / clock.total / 1e9}


CASES = {"train": case_train, "eval": case_eval, "data": case_data, "e2e": case_e2e, "matmul": case_matmul}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=sorted(CASES))
    p.add_argument("--model", default="seed-cnn", choices=models.NAMES)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 keeps the default")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--images", type=int, default=0, help="use only the first N images of the data (0: all)")
    p.add_argument("--data", help="prefix of the prepared uint8 images (PREFIX.u8, PREFIX.labels)")
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    clock = Clock()
    gc_before = [s["collections"] for s in gc.get_stats()]
    model, flop_factor, extra = CASES[args.kind](args, clock)
    gc_after = [s["collections"] for s in gc.get_stats()]
    params = sum(t.numel() for t in model.parameters()) if model is not None else 0
    macs = models.macs(model, (3, 32, 32)) if model is not None else 0
    images = extra.get("images", clock.steps * args.batch if args.kind != "matmul" else 0)
    rate = images / clock.total if clock.total > 0 else 0
    result = {
        "side": "pytorch", "kind": args.kind, "model": None if args.kind in ("data", "matmul") else args.model,
        "batch": args.batch, "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
        "steps": clock.steps, "warmup": args.warmup, "epochs": args.epochs if args.kind == "e2e" else None,
        "workers": args.workers if args.kind in ("data", "e2e") else None,
        "channels_last": args.channels_last, "fused": False, "engine": "pytorch", "parameters": params, "macs_per_image": macs,
        "images": images, "seconds": clock.total, "images_per_second": rate, "ms_per_step": clock.split(),
        "flops_per_image": flop_factor * macs, "flop_convention": FLOP_CONVENTION,
        "gflops": extra.get("gflops", flop_factor * macs * rate / 1e9),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "gc": {"gen0": gc_after[0] - gc_before[0], "gen1": gc_after[1] - gc_before[1], "gen2": gc_after[2] - gc_before[2], "managed_growth_mib": None},
        "accuracy": extra.get("accuracy"), "machine": machine(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        s = result["ms_per_step"]
        print(f"{args.kind} {result['model'] or ''} batch {args.batch}: {clock.steps} timed steps in {clock.total:.2f} s, {result['threads']} thread(s)")
        print(f"  {rate:.1f} images/s; ms per step: data {s['data']:.1f}, forward {s['forward']:.1f}, backward {s['backward']:.1f}, optimizer {s['optimizer']:.1f}, step {s['step']:.1f}")
        print(f"  {result['gflops']:.1f} GFLOP/s; peak RSS {result['peak_rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
