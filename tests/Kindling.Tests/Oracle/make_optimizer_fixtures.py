#!/usr/bin/python3
"""Parameters after each optimizer step, made by PyTorch, for Kindling's optimizer tests.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_optimizer_fixtures.py -> optimizers/optimizers.json
The problem: a linear layer (weight 2x3, bias 2) fitted by mean squared error to fixed data, float64.
Two parameter groups: the weight (with the case's weight decay) and the bias (weight decay 0), as
Kindling's factory makes them. Lookahead follows the paper (Zhang et al. 2019): slow weights start
at the initial parameters; after every k-th inner step slow += alpha (fast - slow), fast = slow.
"""
import json, os
import torch

torch.manual_seed(3)
X = torch.randn(8, 3, dtype=torch.float64)
Y = torch.randn(8, 2, dtype=torch.float64)
W0 = torch.randn(2, 3, dtype=torch.float64)
B0 = torch.randn(2, dtype=torch.float64)
STEPS = 12


def run(make, lookahead=None):
    w = torch.nn.Parameter(W0.clone())
    b = torch.nn.Parameter(B0.clone())
    opt = make([w], [b])
    slow = [w.detach().clone(), b.detach().clone()] if lookahead else None
    out = []
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        loss = ((X @ w.t() + b - Y) ** 2).mean()
        loss.backward()
        opt.step()
        if lookahead and step % lookahead["k"] == 0:
            with torch.no_grad():
                for s, p in zip(slow, [w, b]):
                    s.add_(p - s, alpha=lookahead["alpha"])
                    p.copy_(s)
        out.append({"weight": w.detach().flatten().tolist(), "bias": b.detach().tolist()})
    return out


class NAdam2(torch.optim.Optimizer):
    """NAdam as PyTorch >= 2.0 computes it. PyTorch 1.13 (the Debian package) multiplies mu into
    mu_product_next twice, a bug fixed in 2.0; libtorch 2.10 and TorchSharp follow the fix."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            beta1, beta2 = g["betas"]
            for p in g["params"]:
                st = self.state[p]
                if not st:
                    st.update(step=0, mu_product=1.0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p))
                st["step"] += 1
                t = st["step"]
                grad = p.grad if g["weight_decay"] == 0 else p.grad.add(p, alpha=g["weight_decay"])
                bc2 = 1 - beta2 ** t
                mu = beta1 * (1. - 0.5 * (0.96 ** (t * g["momentum_decay"])))
                mu_next = beta1 * (1. - 0.5 * (0.96 ** ((t + 1) * g["momentum_decay"])))
                st["mu_product"] *= mu
                mu_product_next = st["mu_product"] * mu_next
                st["exp_avg"].mul_(beta1).add_(grad, alpha=1 - beta1)
                st["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = st["exp_avg_sq"].div(bc2).sqrt().add_(g["eps"])
                p.addcdiv_(grad, denom, value=-g["lr"] * (1. - mu) / (1. - st["mu_product"]))
                p.addcdiv_(st["exp_avg"], denom, value=-g["lr"] * mu_next / (1. - mu_product_next))


def groups(w, b, wd, **kw):
    return [dict(params=w, weight_decay=wd, **kw), dict(params=b, weight_decay=0.0, **kw)]

O = torch.optim
cases = [
    ("sgd", {"lr": 0.05}, lambda w, b: O.SGD(groups(w, b, 0.0), lr=0.05)),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01},
     lambda w, b: O.SGD(groups(w, b, 0.01), lr=0.05, momentum=0.9, dampening=0.1)),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 5e-4},
     lambda w, b: O.SGD(groups(w, b, 5e-4), lr=0.05, momentum=0.9, nesterov=True)),
    ("adam", {"lr": 0.01, "betas": [0.9, 0.99], "eps": 1e-8, "weight_decay": 0.01},
     lambda w, b: O.Adam(groups(w, b, 0.01), lr=0.01, betas=(0.9, 0.99), eps=1e-8)),
    ("adam", {"lr": 0.01, "amsgrad": True},
     lambda w, b: O.Adam(groups(w, b, 0.0), lr=0.01, amsgrad=True)),
    ("adamw", {"lr": 0.01, "betas": [0.9, 0.999], "weight_decay": 0.05},
     lambda w, b: O.AdamW(groups(w, b, 0.05), lr=0.01)),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.001},
     lambda w, b: O.Adagrad(groups(w, b, 0.001), lr=0.1, lr_decay=0.01)),
    ("radam", {"lr": 0.01, "weight_decay": 0.01},
     lambda w, b: O.RAdam(groups(w, b, 0.01), lr=0.01)),
    ("nadam", {"lr": 0.01, "weight_decay": 0.01},
     lambda w, b: NAdam2(groups(w, b, 0.01), lr=0.01)),
    ("nadam", {"lr": 0.01, "momentum_decay": 0.004},
     lambda w, b: NAdam2(groups(w, b, 0.0), lr=0.01, momentum_decay=0.004)),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.001},
     lambda w, b: O.RMSprop(groups(w, b, 0.001), lr=0.01, alpha=0.9, momentum=0.5, centered=True)),
    ("adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "weight_decay": 0.001},
     lambda w, b: O.Adagrad(groups(w, b, 0.001), lr=0.1, initial_accumulator_value=0.5)),
]
out = []
for i, (name, args, make) in enumerate(cases):
    out.append({"name": f"{name}_{i}", "optimizer": name, "args": args, "steps": run(make)})
for inner, args, make in [("sgd", {"lr": 0.05, "momentum": 0.9}, lambda w, b: O.SGD(groups(w, b, 0.0), lr=0.05, momentum=0.9)),
                          ("adam", {"lr": 0.02}, lambda w, b: O.Adam(groups(w, b, 0.0), lr=0.02))]:
    la = {"k": 5, "alpha": 0.5}
    out.append({"name": f"lookahead_{inner}", "optimizer": inner, "args": args, "lookahead": la, "steps": run(make, la)})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimizers", "optimizers.json")
json.dump({"torch": torch.__version__, "x": X.tolist(), "y": Y.tolist(), "w0": W0.tolist(), "b0": B0.tolist(), "cases": out}, open(path, "w"), indent=0)
print("wrote", len(out), "cases to", path)
