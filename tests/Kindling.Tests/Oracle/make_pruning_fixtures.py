#!/usr/bin/python3
"""Pruning masks computed by torch.nn.utils.prune for Kindling's pruning tests.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_pruning_fixtures.py  -> pruning/pruning.json
Each case stores the weights and the mask PyTorch's pruning leaves in <name>_mask.
"""
import json, math, os
import torch
import torch.nn as nn
import torch.nn.utils.prune as prune


def t(v):
    return {"shape": list(v.shape), "data": v.detach().flatten().tolist()}


torch.manual_seed(7)
cases = {}

conv = nn.Conv2d(4, 6, 3)
w = conv.weight.detach().clone()
prune.l1_unstructured(conv, "weight", amount=0.3)
cases["l1_unstructured"] = {"weight": t(w), "amount": 0.3, "mask": t(conv.weight_mask)}
# A second call prunes 30% of what is left (PruningContainer).
prune.l1_unstructured(conv, "weight", amount=0.3)
cases["l1_unstructured_twice"] = {"weight": t(w), "amount": 0.3, "mask": t(conv.weight_mask)}

layers = [nn.Conv2d(3, 4, 3), nn.Conv2d(4, 8, 3), nn.Linear(32, 10)]
weights = [l.weight.detach().clone() for l in layers]
prune.global_unstructured([(l, "weight") for l in layers], pruning_method=prune.L1Unstructured, amount=0.4)
cases["global_unstructured"] = {"weights": [t(w) for w in weights], "amount": 0.4, "masks": [t(l.weight_mask) for l in layers]}

for name, n, amount in [("ln_structured_n2", 2, 0.5), ("ln_structured_n1", 1, 0.25), ("ln_structured_inf", math.inf, 0.4)]:
    conv = nn.Conv2d(5, 10, 3)
    w = conv.weight.detach().clone()
    prune.ln_structured(conv, "weight", amount=amount, n=n, dim=0)
    cases[name] = {"weight": t(w), "amount": amount, "n": "inf" if math.isinf(n) else n, "mask": t(conv.weight_mask)}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pruning", "pruning.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", out)
