#!/usr/bin/python3
"""Learning rates (and momenta) of PyTorch's schedulers at every step, for Kindling's schedule tests.

Run with Debian's PyTorch: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_schedule_fixtures.py
Writes schedules/schedules.json next to this file. Each case: the scheduler and its arguments, the
optimizer ('sgd' with momentum or 'adam'), two parameter groups with different base LRs, and the
LR of each group after construction and after every step() (plus momentum/beta1 where cycled).
"""
import json, math, os
import torch
from torch.optim import SGD, Adam
from torch.optim import lr_scheduler as S

STEPS = 60
BASE = [0.1, 0.02]


def optimizer(kind):
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": BASE[0]},
              {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": BASE[1]}]
    return SGD(groups, lr=BASE[0], momentum=0.9) if kind == "sgd" else Adam(groups, lr=BASE[0], betas=(0.9, 0.999))


def momentum(opt):
    g = opt.param_groups
    return [x["betas"][0] if "betas" in x else x["momentum"] for x in g]


def run(name, kind, make, steps=STEPS, epochs=None, metrics=None):
    opt = optimizer(kind)
    sched = make(opt)
    lrs, moms = [[g["lr"] for g in opt.param_groups]], [momentum(opt)]
    for i in range(steps):
        if metrics is not None:
            sched.step(metrics[i])
        elif epochs is not None:
            sched.step(epochs[i])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append(momentum(opt))
    return {"name": name, "optimizer": kind, "base_lrs": BASE, "lrs": lrs, "momenta": moms,
            "epochs": epochs, "metrics": metrics}


cases = []
def add(name, schedule, args, kind="sgd", **kw):
    case = run(name, kind, lambda o: getattr(S, schedule)(o, **args), **kw)
    case["schedule"] = schedule
    case["args"] = args
    cases.append(case)

add("step_lr", "StepLR", {"step_size": 7, "gamma": 0.5})
add("step_lr_1", "StepLR", {"step_size": 1, "gamma": 0.9})
add("multi_step_lr", "MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": 0.3})
add("exponential_lr", "ExponentialLR", {"gamma": 0.93})
add("cosine_annealing_lr", "CosineAnnealingLR", {"T_max": 20, "eta_min": 0.001})
add("cosine_annealing_lr_past_tmax", "CosineAnnealingLR", {"T_max": 7, "eta_min": 0.0})
add("cawr_t0_10", "CosineAnnealingWarmRestarts", {"T_0": 10, "T_mult": 1, "eta_min": 0.001})
add("cawr_t0_5_mult_2", "CosineAnnealingWarmRestarts", {"T_0": 5, "T_mult": 2, "eta_min": 0.0})
add("cawr_t0_3_mult_3", "CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 3, "eta_min": 1e-4})
# Fractional epochs, as when stepped every batch with epoch + i / iters (PyTorch's documented usage).
iters = 7
frac = [e + i / iters for e in range(8) for i in range(iters)][1:STEPS + 1]
add("cawr_fractional", "CosineAnnealingWarmRestarts", {"T_0": 2, "T_mult": 2, "eta_min": 0.0005}, epochs=frac, steps=len(frac))
add("cawr_fractional_mult1", "CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 1, "eta_min": 0.0}, epochs=frac, steps=len(frac))
add("one_cycle_cos_sgd", "OneCycleLR", {"max_lr": [1.0, 0.2], "total_steps": STEPS, "pct_start": 0.3,
    "anneal_strategy": "cos", "div_factor": 25.0, "final_div_factor": 1e4}, steps=STEPS - 1)
add("one_cycle_linear_adam", "OneCycleLR", {"max_lr": 0.5, "epochs": 6, "steps_per_epoch": 10, "pct_start": 0.25,
    "anneal_strategy": "linear", "div_factor": 10.0, "final_div_factor": 100.0, "base_momentum": 0.8,
    "max_momentum": 0.95}, kind="adam", steps=STEPS - 1)
add("one_cycle_three_phase", "OneCycleLR", {"max_lr": 0.3, "total_steps": STEPS, "pct_start": 0.4,
    "three_phase": True}, steps=STEPS - 1)
add("one_cycle_no_momentum", "OneCycleLR", {"max_lr": 0.3, "total_steps": STEPS, "cycle_momentum": False}, steps=STEPS - 1)
metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
           0.49995, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
add("plateau_min_rel", "ReduceLROnPlateau", {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 1e-4,
    "threshold_mode": "rel", "cooldown": 1, "min_lr": 0.004}, metrics=metrics, steps=len(metrics))
add("plateau_max_abs", "ReduceLROnPlateau", {"mode": "max", "factor": 0.1, "patience": 1, "threshold": 0.01,
    "threshold_mode": "abs", "cooldown": 0, "min_lr": [0.0, 0.0001]}, metrics=[1 - m for m in metrics], steps=len(metrics))


def warmup(opt, inner, start_factor, warmup_steps):
    lin = S.LinearLR(opt, start_factor=start_factor, end_factor=1.0, total_iters=warmup_steps)
    return S.SequentialLR(opt, [lin, inner(opt)], milestones=[warmup_steps])

for name, inner, kind in [("warmup_cosine", lambda o: S.CosineAnnealingLR(o, T_max=40, eta_min=0.0), "sgd"),
                          ("warmup_step", lambda o: S.StepLR(o, step_size=10, gamma=0.5), "adam")]:
    case = run(name, kind, lambda o: warmup(o, inner, 0.1, 8))
    case["schedule"] = "LinearWarmup"
    case["args"] = {"start_factor": 0.1, "warmup_steps": 8, "inner": name.split("_")[1]}
    cases.append(case)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedules", "schedules.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "steps": STEPS, "cases": cases}, f, indent=0)
print(f"wrote {len(cases)} cases to {out}")
