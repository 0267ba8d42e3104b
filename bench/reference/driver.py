#!/usr/bin/python3
"""Kindling against PyTorch on this machine, in one go: each case runs Kindling and PyTorch alternately
(A B A B ..., --repeats each), then prints the medians, the ratio Kindling/PyTorch of the medians with
the min-max of the paired ratios, and writes the results table (markdown, ready to paste into
docs/performance.md, and JSON).

    /usr/bin/python3 bench/reference/driver.py                 # every default case, ~35 min on a quiet 2-core machine
    /usr/bin/python3 bench/reference/driver.py --quick         # fewer steps, 2 repeats, no fashion: a few minutes
    /usr/bin/python3 bench/reference/driver.py train-seed-cnn eval-seed-cnn --repeats 7

Cases: peak (the CPU's fp32 FMA throughput, `kindling bench peak`: the ceiling), matmul (2048^2 fp32: one
BLAS call's rate), train-seed-cnn, train-resnet18 (a training step),
eval-seed-cnn, eval-resnet18 (an eval step; Kindling in libtorch, channels-last and fused), eval-seed-cnn-ort,
eval-resnet18-ort (the same eval step, Kindling's side the float model exported to ONNX and run by ONNX Runtime), e2e-seed-cnn (a training epoch over the first --e2e-images
images of the shared CIFAR-10 subset, loader with random crop 4 padding + flip + normalize, 2 workers),
memory (Kindling's RSS over 2,000 steps), fashion (the time-to-accuracy comparison: `kindling train --config
configs/fashion-mnist-fast.yaml` against fashion_fast.py, once each, ~18 minutes; --quick leaves it out unless
named), and, not run by default for time, e2e-resnet18 and data (the loader alone). Kindling runs with its
levers (see KINDLING_LEVERS); PyTorch runs plain eager NCHW, as a PyTorch user writes it.
Both sides: batch 128, --threads threads (default: all cores), AdamW, CE with label smoothing 0.1.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import prepare_data  # noqa: E402

# What Kindling adds over plain eager: channels-last memory, and conv-BN fusion for inference.
KINDLING_LEVERS = {"train": ["--channels-last"], "e2e": ["--channels-last"], "eval": ["--channels-last", "--fused"], "data": [], "matmul": []}
# Cases whose Kindling side runs another engine: the float model exported to ONNX and run by ONNX Runtime (it folds
# BatchNorm and picks its layout itself), against the same plain-eager PyTorch eval as the libtorch cases.
CASE_LEVERS = {"eval-seed-cnn-ort": ["--engine", "onnxruntime"], "eval-resnet18-ort": ["--engine", "onnxruntime"]}

# case -> (kind, model, (warmup, steps) full, (warmup, steps) quick). Sized from the quiet machine's rates (seed CNN
# ~230 training images/s, ResNet-18 ~90): the full run takes ~15-20 min, most of it the ten 10,000-image epochs.
CASES = {
    "matmul": ("matmul", None, (3, 20), (1, 5)),
    "train-seed-cnn": ("train", "seed-cnn", (2, 10), (1, 3)),
    "train-resnet18": ("train", "resnet18", (2, 5), (1, 2)),
    "eval-seed-cnn": ("eval", "seed-cnn", (2, 20), (1, 5)),
    "eval-resnet18": ("eval", "resnet18", (2, 10), (1, 3)),
    "eval-seed-cnn-ort": ("eval", "seed-cnn", (2, 20), (1, 5)),
    "eval-resnet18-ort": ("eval", "resnet18", (2, 10), (1, 3)),
    "e2e-seed-cnn": ("e2e", "seed-cnn", (2, 0), (1, 0)),
    "e2e-resnet18": ("e2e", "resnet18", (2, 0), (1, 0)),
    "data": ("data", None, (3, 40), (2, 20)),
    "fashion": ("fashion", None, None, None),
    "memory": ("memory", None, None, None),
    "peak": ("peak", None, None, None),
}
DEFAULT = ["peak", "matmul", "train-seed-cnn", "train-resnet18", "eval-seed-cnn", "eval-resnet18", "eval-seed-cnn-ort", "eval-resnet18-ort",
           "e2e-seed-cnn", "memory", "fashion"]
GOALS = {"train": 1.0, "e2e": 1.25, "eval": 2.0}
FASHION_TARGET = 0.9392  # Kindling's test accuracy after the recipe's 11 epochs


def first_reaching(epochs, target):
    """Seconds (epochs' own, training plus evaluation) until the first epoch at or above target, or None."""
    total = 0.0
    for e in epochs:
        total += e["seconds"]
        if e["accuracy"] >= target:
            return {"epoch": e["epoch"], "seconds": total}
    return None


def fashion(args):
    """Both sides train the fast Fashion-MNIST recipe once; the wall time to the same test accuracy."""
    out = os.path.join(args.fashion_runs, "kindling")
    if os.path.exists(out):
        out = f"{out}-{int(time.time())}"
    t = time.time()
    subprocess.run([os.path.join(ROOT, "kindling"), "train", "--config", "configs/fashion-mnist-fast.yaml", "--out", out],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, env={**os.environ, "CI": "true"})
    k_wall = time.time() - t
    k = [{"epoch": m["epoch"], "accuracy": m["val_accuracy"], "seconds": m["seconds"]}
         for m in map(json.loads, open(os.path.join(out, "metrics.jsonl")))]
    t = time.time()
    p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "fashion_fast.py"), "--threads", str(args.threads)],
                       check=True, cwd=ROOT, capture_output=True, text=True)
    p_wall = time.time() - t
    lines = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    py = [{"epoch": m["epoch"], "accuracy": m["test_accuracy"], "seconds": m["seconds"]} for m in lines if "epoch" in m]
    common = min(FASHION_TARGET, max(e["accuracy"] for e in k), max(e["accuracy"] for e in py))
    kr, pr = first_reaching(k, common), first_reaching(py, common)
    return {"case": "fashion", "target": common, "kindling": {"epochs": k, "reached": kr, "process_seconds": k_wall, "run": out},
            "pytorch": {"epochs": py, "reached": pr, "process_seconds": p_wall},
            "ratio": kr["seconds"] / pr["seconds"], "goal": 0.8}


def peak(args):
    """The CPU's own fp32 ceiling, the same for both sides: independent FMA chains on every thread (kindling bench peak)."""
    r = run(kindling_cmd() + ["peak", "--threads", str(args.threads), "--steps", "5" if args.quick else "10", "--warmup", "1", "--json"])
    return {"case": "peak", "gflops": r["gflops"], "threads": r["threads"]}


def peak_markdown(p):
    return (f"\nFMA peak (`kindling bench peak`: independent fp32 FMA chains on {p['threads']} threads, the CPU's own ceiling; "
            f"the matmul is one BLAS call's): {p['gflops']:.1f} GFLOP/s.\n")


def memory(args):
    """Kindling alone: RSS over a long training epoch (Trainer, loader, seed CNN, AdamW, batch 8), step 100 against the last."""
    steps = 500 if args.quick else 2000
    r = run(kindling_cmd() + ["memory", "--steps", str(steps), "--json"], allow_fail=True)
    first = next(s for s in r["samples"] if s["step"] == 100)
    last = r["samples"][-1]
    return {"case": "memory", "steps": steps, "growth_from_step_100": r["growth_from_step_100"], "flat": r["flat"],
            "rss_mib_at_100": first["rss_mib"], "rss_mib_last": last["rss_mib"], "managed_mib_at_100": first["managed_mib"],
            "managed_mib_last": last["managed_mib"], "gc": {"gen0": last["gen0"], "gen1": last["gen1"], "gen2": last["gen2"]}}


def memory_markdown(m):
    return (f"\nMemory (Kindling, `kindling bench memory --steps {m['steps']}`: Trainer, loader, seed CNN, AdamW, batch 8): RSS "
            f"{m['rss_mib_at_100']:.0f} MiB at step 100, {m['rss_mib_last']:.0f} MiB at step {m['steps']} ({m['growth_from_step_100']:+.1%}; "
            f"goal within 10%: {'met' if m['flat'] else 'NOT met'}); managed heap {m['managed_mib_at_100']:.1f} -> {m['managed_mib_last']:.1f} MiB; "
            f"GC over the run: {m['gc']['gen0']} gen0, {m['gc']['gen1']} gen1, {m['gc']['gen2']} gen2.\n")


def fashion_markdown(f):
    k, p = f["kindling"], f["pytorch"]
    met = "met" if f["ratio"] <= f["goal"] else "NOT met"
    return (f"| fashion-mnist-fast to {f['target']:.2%} test accuracy | {k['reached']['seconds'] / 60:.1f} min (epoch {k['reached']['epoch']}) | "
            f"{p['reached']['seconds'] / 60:.1f} min (epoch {p['reached']['epoch']}) | **{f['ratio']:.2f}x** of PyTorch's wall time | <= 0.80x: {met} |")


def kindling_cmd():
    """`kindling bench` without the script's staleness check per run: the bench program (bench/Kindling.Bench)
    the script forwards `bench` to, built once by main(); the verbs follow, e.g. kindling_cmd() + ["peak"]."""
    dll = os.path.join(ROOT, "bench/Kindling.Bench/bin/Release/net10.0/linux-x64/Kindling.Bench.dll")
    return ["dotnet", dll]


def run(cmd, allow_fail=False):
    t = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0 and not (allow_fail and p.stdout.lstrip().startswith("{")):
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    line = [l for l in p.stdout.splitlines() if l.startswith("{")][-1]
    r = json.loads(line)
    r["process_seconds"] = time.time() - t
    return r


def case_args(name, args):
    kind, model, full, quick = CASES[name]
    warmup, steps = quick if args.quick else full
    common = ["--batch", str(args.batch), "--threads", str(args.threads), "--warmup", str(warmup), "--json"]
    if steps:
        common += ["--steps", str(steps)]
    if model:
        common += ["--model", model]
    if kind in ("e2e", "data"):
        common += ["--data", args.data, "--workers", str(args.workers)]
    if kind == "e2e":
        common += ["--images", str(args.e2e_images)]
    return kind, common


def metric(r):
    return r["gflops"] if r["kind"] == "matmul" else r["images_per_second"]


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def summarize(name, kind, runs):
    k = [r for r in runs if r["side"] == "kindling"]
    p = [r for r in runs if r["side"] == "pytorch"]
    if kind not in ("data", "matmul") and k[0]["parameters"] != p[0]["parameters"]:
        raise SystemExit(f"{name}: Kindling's model has {k[0]['parameters']} parameters, PyTorch's {p[0]['parameters']}: not the same network")
    paired = [metric(a) / metric(b) for a, b in zip(k, p) if metric(b) > 0]
    side = {}
    for label, rs in (("kindling", k), ("pytorch", p)):
        side[label] = {
            "median": median([metric(r) for r in rs]),
            "values": [metric(r) for r in rs],
            "gflops": median([r["gflops"] for r in rs]),
            "ms_per_step": {ph: median([r["ms_per_step"][ph] for r in rs]) for ph in ("data", "forward", "backward", "optimizer", "step", "best_step")},
            "peak_rss_mib": median([r["peak_rss_mib"] for r in rs]),
            "gc": rs[-1]["gc"],
            "flags": {"channels_last": rs[0]["channels_last"], "fused": rs[0]["fused"], "engine": rs[0].get("engine")},
        }
    ratio = side["kindling"]["median"] / side["pytorch"]["median"] if side["pytorch"]["median"] > 0 else float("nan")
    # The fastest single step of each side: far less sensitive to other processes on the cores than the mean.
    kb, pb = min(r["ms_per_step"]["best_step"] for r in k), min(r["ms_per_step"]["best_step"] for r in p)
    best_ratio = pb / kb if kb > 0 else float("nan")
    return {"case": name, "kind": kind, "model": k[0]["model"], "unit": "GFLOP/s" if kind == "matmul" else "images/s",
            "kindling": side["kindling"], "pytorch": side["pytorch"], "ratio": ratio,
            "best_step_ratio": best_ratio, "ratio_min": min(paired) if paired else None, "ratio_max": max(paired) if paired else None,
            "goal": GOALS.get(kind), "repeats": len(k)}


def machine_line(k, p):
    km, pm = k["machine"], p["machine"]
    return (f"{km['cpu']}, {km['logical_cores']} logical cores, fp32; Kindling: libtorch {km['libtorch']} (TorchSharp {km['torchsharp']}, .NET {km['dotnet']}); "
            f"PyTorch {pm['torch']} ({pm['blas']}, Python {pm['python']})")


def markdown(results, machine, args, started, contended, fma=None):
    when = started.strftime("%Y-%m-%d %H:%M UTC")
    peak = {r["kind"]: r for r in results}.get("matmul")
    lines = [f"Measured {when} with `/usr/bin/python3 bench/reference/driver.py{' --quick' if args.quick else ''}` "
             f"({results[0]['repeats']} runs per side, alternating; batch {args.batch}, {args.threads} threads).",
             f"Machine: {machine}.", ""]
    if contended:
        lines += [f"**Taken under contention ({contended}): the ratios are rough, the absolute figures are not this machine's.**", ""]
    lines += ["| case | Kindling | PyTorch | Kindling / PyTorch (min-max) | fastest steps | goal |", "|---|---|---|---|---|---|"]
    for r in results:
        k, p = r["kindling"], r["pytorch"]
        flags = [f for f, on in (("channels-last", k["flags"]["channels_last"]), ("fused", k["flags"]["fused"]),
                                 ("ONNX Runtime", k["flags"].get("engine") == "onnxruntime")) if on]
        name = r["case"] + (f" (Kindling {', '.join(flags)})" if flags else "")
        goal = f">= {r['goal']:.2f}x: {'met' if r['ratio'] >= r['goal'] else 'NOT met'}" if r["goal"] else "-"
        lines.append(f"| {name} | {k['median']:.1f} {r['unit']} | {p['median']:.1f} {r['unit']} | "
                     f"**{r['ratio']:.2f}x** ({r['ratio_min']:.2f}-{r['ratio_max']:.2f}) | {r['best_step_ratio']:.2f}x | {goal} |")
    lines += ["", "Fastest steps: the ratio of the two sides' fastest single step (PyTorch's over Kindling's), robust to other load.",
              "", "Median ms per step (data / forward / backward / optimizer / whole step), achieved GFLOP/s "
              "(training 6 x MACs per image, eval 2 x MACs), its share of the same side's matmul and of the CPU's FMA peak, peak RSS:", "",
              "| case | side | data | forward | backward | optimizer | step | fastest step | GFLOP/s | of matmul | of FMA peak | peak RSS MiB |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if r["kind"] == "matmul":
            continue
        for side in ("kindling", "pytorch"):
            s = r[side]
            ms = s["ms_per_step"]
            share = f"{s['gflops'] / peak[side]['median']:.0%}" if peak and s["gflops"] else "-"
            of_fma = f"{s['gflops'] / fma['gflops']:.0%}" if fma and s["gflops"] else "-"
            lines.append(f"| {r['case']} | {side} | {ms['data']:.0f} | {ms['forward']:.0f} | {ms['backward']:.0f} | {ms['optimizer']:.0f} | "
                         f"{ms['step']:.0f} | {ms['best_step']:.0f} | {s['gflops']:.1f} | {share} | {of_fma} | {s['peak_rss_mib']:.0f} |")
    return "\n".join(lines) + "\n"


def write(args, started, repeats, results, last, extra):
    """Writes results.md and results.json with every case so far (after each case, so a cut-short run keeps what it measured)."""
    finished = datetime.datetime.now(datetime.timezone.utc)
    os.makedirs(args.out, exist_ok=True)
    if results:
        machine = machine_line(last["kindling"], last["pytorch"])
        md = markdown(results, machine, args, started, args.contended, extra["peak"])
    else:
        machine, md = platform.platform(), f"Measured {started.strftime('%Y-%m-%d %H:%M UTC')}.\n"
    if extra["peak"]:
        md += peak_markdown(extra["peak"])
    if extra["memory"]:
        md += memory_markdown(extra["memory"])
    if extra["fashion"]:
        md += ("\nTime to the same test accuracy (each side trains the recipe once; seconds are the epochs' own, training and evaluation):\n\n"
               "| recipe | Kindling | PyTorch | ratio | goal |\n|---|---|---|---|---|\n" + fashion_markdown(extra["fashion"]) + "\n")
    doc = {"started": started.isoformat(), "minutes": (finished - started).total_seconds() / 60, "machine": machine,
           "platform": platform.platform(), "quick": args.quick, "repeats": repeats, "batch": args.batch, "threads": args.threads,
           "e2e_images": args.e2e_images, "kindling_levers": KINDLING_LEVERS, "contended": args.contended, "results": results,
           **extra}
    for path, text in ((os.path.join(args.out, "results.md"), md), (os.path.join(args.out, "results.json"), json.dumps(doc, indent=1))):
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    return md


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", help=f"cases to run (default: {' '.join(DEFAULT)}; also: {' '.join(c for c in CASES if c not in DEFAULT)})")
    ap.add_argument("--quick", action="store_true", help="fewer steps, 2 runs per side: a check, not a measurement")
    ap.add_argument("--repeats", type=int, help="runs per side (default 5, --quick 2)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--e2e-images", type=int, help="images per end-to-end epoch (default 10000, the whole subset; --quick 1280)")
    ap.add_argument("--data", default=prepare_data.DEFAULT_OUT, help="prefix of the prepared uint8 images (written if missing)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"), help="folder for results.md and results.json")
    ap.add_argument("--fashion-runs", default=os.path.join(ROOT, "runs", "bench-fashion"), help="where the fashion case writes Kindling's run folder")
    ap.add_argument("--contended", help="say the machine was shared (e.g. '7 other jobs'): marked in the table")
    args = ap.parse_args()
    cases = args.cases or [c for c in DEFAULT if not (args.quick and c == "fashion")]
    for c in cases:
        if c not in CASES:
            raise SystemExit(f"unknown case {c!r}: expected one of {', '.join(CASES)}")
    repeats = args.repeats or (2 if args.quick else 5)
    args.e2e_images = args.e2e_images or (1280 if args.quick else 10000)
    if not os.path.exists(args.data + ".u8"):
        print(f"preparing {args.data}.u8 from the shared JPEG split...", file=sys.stderr)
        prepare_data.prepare(out=args.data)
    print("building Kindling (Release)...", file=sys.stderr)
    subprocess.run([os.path.join(ROOT, "kindling"), "info"], check=True, capture_output=True, cwd=ROOT)
    subprocess.run([os.path.join(ROOT, "kindling"), "bench", "--help"], check=True, capture_output=True, cwd=ROOT)

    started = datetime.datetime.now(datetime.timezone.utc)
    results, last = [], {}
    extra = {"peak": None, "memory": None, "fashion": None}  # the cases that run once, not A B A B
    once = {"peak": (peak, peak_markdown), "memory": (memory, memory_markdown), "fashion": (fashion, fashion_markdown)}
    for name in cases:
        if name in once:
            measure, describe = once[name]
            extra[name] = measure(args)
            print(describe(extra[name]), flush=True)
            write(args, started, repeats, results, last, extra)
            continue
        kind, common = case_args(name, args)
        kcmd = kindling_cmd() + [kind] + common + CASE_LEVERS.get(name, KINDLING_LEVERS[kind])
        pcmd = ["/usr/bin/python3", os.path.join(HERE, "bench.py"), kind] + common
        runs = []
        for i in range(repeats):
            for side, cmd in (("kindling", kcmd), ("pytorch", pcmd)):
                r = run(cmd)
                runs.append(r)
                last[side] = r
                print(f"{name} {i + 1}/{repeats} {side}: {metric(r):.1f} {'GFLOP/s' if kind == 'matmul' else 'images/s'} "
                      f"({r['process_seconds']:.0f} s)", file=sys.stderr, flush=True)
        s = summarize(name, kind, runs)
        s["runs"] = runs
        results.append(s)
        print(f"{name}: Kindling {s['kindling']['median']:.1f}, PyTorch {s['pytorch']['median']:.1f} {s['unit']}: "
              f"{s['ratio']:.2f}x ({s['ratio_min']:.2f}-{s['ratio_max']:.2f})", flush=True)
        write(args, started, repeats, results, last, extra)
    md = write(args, started, repeats, results, last, extra)
    print()
    print(md)
    print(f"({(datetime.datetime.now(datetime.timezone.utc) - started).total_seconds() / 60:.1f} min; written to {args.out}/results.md and results.json)")


if __name__ == "__main__":
    main()
