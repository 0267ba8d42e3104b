#!/usr/bin/env python3
"""The data-parallel scaling model of docs/distributed.md, from measured numbers.

Reads the JSON lines that `kindling bench dp --json` printed for one rank (the baseline, without mpirun) and, optionally,
`mpirun -np 2 kindling bench allreduce --json` (the latency term), and prints the predicted step time, images/s and
efficiency of the same global batch on N machines over 10 and 100 Gbit/s networks:

  step(N) = compute / N + ring all-reduce(N)
  ring all-reduce(N) = 2 (N-1)/N * gradient_bytes / bandwidth + 2 (N-1) * latency

compute is the one-rank step time (the whole global batch on one machine; it is assumed to split evenly, which small
per-machine batches do not quite do), bandwidth the network's line rate (10 Gbit/s = 1.25 GB/s) times --efficiency (the
share of the line a ring all-reduce gets; 0.8 unless measured), latency one message's (from ALLREDUCE.json's one-float
all-reduce, or --latency-us). Nothing overlaps backward (TorchSharp has no gradient hooks), so the terms add. Packing and
unpacking the buckets (every machine copies its whole gradient twice, whatever N) are left out: the 2-rank dp case's
communication_ms_per_step includes them, so compare it with this model's 2-machine all-reduce to see their size.

usage: scaling_model.py DP_1RANK.json [ALLREDUCE.json] [--latency-us=10] [--efficiency=0.8] [--machines=1,2,8,32,64]
"""
import json
import sys


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    if not args:
        print(__doc__)
        return 2
    base = json.loads(open(args[0]).read().strip().splitlines()[-1])
    latency = float(opts.get("latency-us", 10)) * 1e-6
    if len(args) > 1:
        ar = json.loads(open(args[1]).read().strip().splitlines()[-1])
        latency = ar["latency_us"] * 1e-6
    efficiency = float(opts.get("efficiency", 0.8))
    machines = [int(m) for m in opts.get("machines", "1,2,8,32,64").split(",")]
    compute = base["step_ms"] / 1e3
    grad = base["gradient_bytes_per_step"]
    batch = base["global_batch"]
    print(f"model {base['model']}, {base['parameters']:,} parameters ({grad / 1e6:.1f} MB of fp32 gradients), global batch {batch}, "
          f"one-machine step {compute * 1e3:.1f} ms ({batch / compute:.1f} images/s), latency {latency * 1e6:.1f} us, "
          f"{efficiency:.0%} of the line rate")
    print("| network | machines | batch per machine | all-reduce ms | step ms | images/s | speed-up | efficiency |")
    print("|---|---|---|---|---|---|---|---|")
    for gbit in (10, 100):
        bandwidth = gbit / 8 * 1e9 * efficiency
        for n in machines:
            allreduce = 0.0 if n == 1 else 2 * (n - 1) / n * grad / bandwidth + 2 * (n - 1) * latency
            step = compute / n + allreduce
            speedup = compute / step
            print(f"| {gbit} Gbit/s | {n} | {batch / n:g} | {allreduce * 1e3:.1f} | {step * 1e3:.1f} | {batch / step:.0f} | "
                  f"{speedup:.2f}x | {speedup / n:.0%} |")
    # Where it stops paying: adding machines helps while compute/N still exceeds what one more all-reduce hop costs;
    # the best N minimises compute/N + 2(N-1)/N * bytes/bandwidth (the bandwidth term is nearly flat in N).
    for gbit in (10, 100):
        bandwidth = gbit / 8 * 1e9 * efficiency
        best = min(range(1, 1025), key=lambda n: compute / n + (0 if n == 1 else 2 * (n - 1) / n * grad / bandwidth + 2 * (n - 1) * latency))
        print(f"{gbit} Gbit/s: the fastest step is at {best} machine(s); beyond it more machines make the step slower.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
