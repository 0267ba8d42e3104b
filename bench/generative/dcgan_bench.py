#!/usr/bin/python3
"""The DCGAN training step, Kindling against PyTorch, side by side: runs `kindling bench gan --task dcgan --json` and
bench/generative/dcgan_reference.py alternately (one process per run, so slow drift in the machine's load hits both),
refuses sides whose parameter counts differ, and reports each side's median step and the ratio PyTorch / Kindling
(> 1: Kindling is faster). The issue's goal: at least 1.2.

  /usr/bin/python3 bench/generative/dcgan_bench.py [--repeats 5] [--steps 50] [--batch 64] [--threads 2] [--nchw] [--unfused] [--quick]
"""
import argparse, json, os, statistics, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd):
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--nchw", action="store_true")
    ap.add_argument("--unfused", action="store_true", help="Kindling's generator without its fused upsample-conv (the modules as PyTorch runs them)")
    ap.add_argument("--quick", action="store_true", help="2 runs of 5 steps a side: a check, not a measurement")
    args = ap.parse_args()
    repeats, steps = (2, 5) if args.quick else (args.repeats, args.steps)
    common = ["--batch", str(args.batch), "--steps", str(steps), "--threads", str(args.threads)] + (["--nchw"] if args.nchw else [])
    kindling = [os.path.join(ROOT, "kindling"), "bench", "gan", "--task", "dcgan", "--json"] + common + (["--unfused"] if args.unfused else [])
    pytorch = [sys.executable, os.path.join(ROOT, "bench", "generative", "dcgan_reference.py")] + common
    sides = {"kindling": [], "pytorch": []}
    for r in range(repeats):
        for name, cmd in (("kindling", kindling), ("pytorch", pytorch)) if r % 2 == 0 else (("pytorch", pytorch), ("kindling", kindling)):
            sides[name].append(run(cmd))
            print(json.dumps(sides[name][-1]), file=sys.stderr, flush=True)
    counts = {name: {r["parameters"] for r in runs} for name, runs in sides.items()}
    if counts["kindling"] != counts["pytorch"]:
        sys.exit(f"the two sides' models differ: parameters {counts}")
    k = statistics.median(r["median_ms"] for r in sides["kindling"])
    p = statistics.median(r["median_ms"] for r in sides["pytorch"])
    kmin = min(r["min_ms"] for r in sides["kindling"])
    pmin = min(r["min_ms"] for r in sides["pytorch"])
    result = {"case": "dcgan", "fused_upsample_conv": not args.unfused, "batch": args.batch, "threads": args.threads, "repeats": repeats, "steps": steps,
              "kindling_median_ms": k, "pytorch_median_ms": p, "speed_ratio": p / k, "fastest_step_ratio": pmin / kmin}
    print(json.dumps(result))
    print(f"DCGAN step, batch {args.batch}, {args.threads} threads: Kindling {k:.1f} ms, PyTorch {p:.1f} ms: "
          f"{p / k:.2f}x PyTorch's speed (fastest steps {pmin / kmin:.2f}x)", file=sys.stderr)


if __name__ == "__main__":
    main()
