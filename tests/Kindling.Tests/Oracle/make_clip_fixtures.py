#!/usr/bin/python3
"""torch.nn.utils.clip_grad_norm_ by norm type, made by PyTorch 1.13, for the engine's clipping test.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_clip_fixtures.py -> clipping/clip_grad_norm.json
Gradients of a Linear(64, 3) (weight then bias), float32 as the engine trains; per case the max norm, the norm type
(inf is written as the string "inf"), the total norm clip_grad_norm_ returns (the pre-clip norm) and the clipped gradients.
"""
import json, math, os
import torch

torch.manual_seed(21)
weight = torch.randn(3, 64) * 0.3
bias = torch.randn(3) * 2.0
cases = []
for max_norm, norm_type in [(0.5, math.inf), (2.0, 1.0), (0.5, 2.0), (100.0, math.inf)]:
    w = torch.nn.Parameter(torch.zeros(3, 64))
    b = torch.nn.Parameter(torch.zeros(3))
    w.grad, b.grad = weight.clone(), bias.clone()
    total = torch.nn.utils.clip_grad_norm_([w, b], max_norm, norm_type)
    cases.append({"max_norm": max_norm, "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                  "total_norm": total.item(), "weight": w.grad.flatten().tolist(), "bias": b.grad.tolist()})
out = {"torch": torch.__version__, "weight_grad": weight.flatten().tolist(), "bias_grad": bias.tolist(), "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "clipping", "clip_grad_norm.json")
json.dump(out, open(path, "w"), indent=1)
print("wrote", path)
