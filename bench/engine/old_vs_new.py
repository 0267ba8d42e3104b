#!/usr/bin/python3
"""The training step of the engine before tasks (an old build) against today's, side by side in one run: `kindling bench
train` of each, alternated (A B A B ...) so drift in the machine's load hits both, medians and the ratio new/old.
    /usr/bin/python3 bench/engine/old_vs_new.py OLD_CLI_DLL NEW_BENCH_DLL [--repeats 5] [--steps 10]
OLD_CLI_DLL is Kindling.Cli.dll of a build of 8046a5e (its `bench` verb); NEW_BENCH_DLL is today's Kindling.Bench.dll.
"""
import argparse, json, statistics, subprocess

def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out[out.index("{"):])

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old"); ap.add_argument("new")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--models", default="seed-cnn,resnet18")
    a = ap.parse_args()
    for model in a.models.split(","):
        args = ["train", "--model", model, "--channels-last", "--batch", "128", "--steps", str(a.steps), "--warmup", "2", "--json"]
        sides = {"old": [], "new": []}
        for _ in range(a.repeats):
            sides["old"].append(run(["dotnet", a.old, "bench"] + args)["images_per_second"])
            sides["new"].append(run(["dotnet", a.new] + args)["images_per_second"])
        old, new = statistics.median(sides["old"]), statistics.median(sides["new"])
        print(f"{model}: old {old:.1f} img/s {sorted(round(x, 1) for x in sides['old'])}, new {new:.1f} img/s {sorted(round(x, 1) for x in sides['new'])}, "
              f"new/old {new / old:.3f} (best runs {max(sides['new']) / max(sides['old']):.3f})", flush=True)

main()
