#!/usr/bin/python3
"""Where oneDNN's time goes in a benchmark run, from oneDNN's own verbose log (works for both sides:
libtorch 2.10's oneDNN 3.x and PyTorch 1.13's oneDNN 2.6 print slightly different lines).

    ONEDNN_VERBOSE=1 ./kindling bench train --warmup 0 --steps 1 | /usr/bin/python3 bench/reference/onednn_profile.py
    DNNL_VERBOSE=1 /usr/bin/python3 bench/reference/bench.py train --warmup 0 --steps 1 | /usr/bin/python3 bench/reference/onednn_profile.py

Prints the time per primitive kind and implementation, and how much of it is reorders (layout
conversions: activations between NCHW and oneDNN's blocked formats, weights into the kernel's format).
"""
import collections
import sys


def parse(lines):
    total, count = collections.Counter(), collections.Counter()
    for line in lines:
        if not line.startswith(("onednn_verbose", "dnnl_verbose")) or ",exec," not in line:
            continue
        f = line.strip().split(",")
        i = f.index("exec")
        kind, impl, prop = f[i + 2], f[i + 3], f[i + 4]
        key = (kind, impl, prop)
        total[key] += float(f[-1])
        count[key] += 1
    return total, count


def main():
    total, count = parse(sys.stdin)
    whole = sum(total.values())
    if not whole:
        raise SystemExit("no oneDNN exec lines: run the benchmark with ONEDNN_VERBOSE=1 (libtorch 2.x) or DNNL_VERBOSE=1 (PyTorch 1.13)")
    reorders = sum(v for k, v in total.items() if k[0] == "reorder")
    print(f"oneDNN: {whole:.0f} ms in {sum(count.values())} primitive runs; reorders {reorders:.0f} ms ({reorders / whole:.0%})")
    for key, ms in total.most_common():
        print(f"  {ms:8.0f} ms {ms / whole:5.0%} {count[key]:5d}x  {' '.join(key)}")


if __name__ == "__main__":
    main()
