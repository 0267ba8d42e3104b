#!/usr/bin/python3
"""A SimCLR step, Kindling against PyTorch side by side: `kindling bench simclr` and simclr_step.py alternately
(K P K P ..., --repeats each), the medians and the ratio Kindling images/s over PyTorch images/s, with the min-max of
the paired ratios.

    /usr/bin/python3 bench/reference/simclr_driver.py --model fastnet --batch 256 --steps 10 --repeats 3
    /usr/bin/python3 bench/reference/simclr_driver.py --model resnet18 --batch 128 --steps 5 --repeats 3
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def run(cmd):
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="fastnet", choices=["fastnet", "resnet18"])
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    a.threads = a.threads or os.cpu_count()  # both sides on every core (PyTorch may default to fewer)
    common = ["--model", a.model, "--batch", str(a.batch), "--steps", str(a.steps), "--warmup", str(a.warmup), "--threads", str(a.threads), "--json"]
    kindling, pytorch = [], []
    for _ in range(a.repeats):
        kindling.append(run([os.path.join(ROOT, "kindling"), "bench", "simclr", *common]))
        pytorch.append(run([sys.executable, os.path.join(HERE, "simclr_step.py"), *common]))
    k = statistics.median(r["images_per_second"] for r in kindling)
    t = statistics.median(r["images_per_second"] for r in pytorch)
    ratios = [x["images_per_second"] / y["images_per_second"] for x, y in zip(kindling, pytorch)]
    print(f"simclr step {a.model} batch {a.batch} (2 views), {kindling[0]['threads']} threads, {a.repeats} repeats of {a.steps} steps:")
    print(f"  kindling {k:.1f} images/s (median {statistics.median(r['median_ms'] for r in kindling):.1f} ms/step, channels-last)")
    print(f"  pytorch  {t:.1f} images/s (median {statistics.median(r['median_ms'] for r in pytorch):.1f} ms/step, eager NCHW)")
    print(f"  ratio kindling/pytorch {k / t:.2f}x (paired {min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
