"""Kindling's and PyTorch's DDPM U-Net training step, alternated in one run, reported as a ratio (images/s Kindling / PyTorch).

  /usr/bin/python3 bench/generative/ddpm_side_by_side.py --rounds 3 --batch 128 --steps 20 --threads 2 [--nchw]

Each round runs `kindling bench ddpm --json` and bench/generative/ddpm_bench.py with the same flags; the median of each side
is compared. Run it on a quiet machine: both sides share its cores.
"""
import argparse, json, os, statistics, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
p = argparse.ArgumentParser()
p.add_argument("--rounds", type=int, default=3)
p.add_argument("--batch", type=int, default=128)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--nchw", action="store_true")
a = p.parse_args()
flags = ["--batch", str(a.batch), "--steps", str(a.steps), "--warmup", str(a.warmup), "--threads", str(a.threads)] + (["--nchw"] if a.nchw else [])


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


sides = {"kindling": [], "pytorch": []}
for r in range(a.rounds):
    k = run([os.path.join(root, "kindling"), "bench", "ddpm", "--json"] + flags)
    t = run([sys.executable, os.path.join(here, "ddpm_bench.py")] + flags)
    sides["kindling"].append(k["images_per_second"])
    sides["pytorch"].append(t["images_per_second"])
    print(f"round {r + 1}: kindling {k['images_per_second']:.1f} img/s, pytorch {t['images_per_second']:.1f} img/s", file=sys.stderr)
km, tm = statistics.median(sides["kindling"]), statistics.median(sides["pytorch"])
print(json.dumps({"case": "ddpm-train", "batch": a.batch, "threads": a.threads, "channels_last": not a.nchw,
                  "kindling_images_per_second": km, "pytorch_images_per_second": tm, "ratio": km / tm, "rounds": sides}))
