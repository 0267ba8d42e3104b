#!/usr/bin/python3
"""gradcheck's numbers made by PyTorch 1.13, for Kindling's GradCheck tests.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_autograd_fixtures.py -> autograd/autograd.json
- "jacobians": a fixed function f(x, w) = (tanh(x @ w), softplus(x).sum(1)) at a fixed point, float64: the numerical
  Jacobians of gradcheck's central differences (eps 1e-6; PyTorch's layout [input element, output element]) and the
  analytical ones (torch.autograd.functional.jacobian), per (output, input), with gradcheck's and gradgradcheck's verdicts.
- "wrong_backward": gradcheck's message for a custom Function whose backward doubles the gradient.
- "fake_quantize": the gradient PyTorch gives torch.fake_quantize_per_tensor_affine (straight through where the
  rounded value lies in [quant_min, quant_max], zero elsewhere), at points away from the rounding boundaries.
"""
import json, os
import torch
from torch.autograd.gradcheck import _get_numerical_jacobian, gradcheck, gradgradcheck
import torch.nn.functional as F

torch.manual_seed(11)
x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
w = torch.randn(3, 2, dtype=torch.float64, requires_grad=True)


def f(x, w):
    return torch.tanh(x @ w), F.softplus(x).sum(1)


numerical = _get_numerical_jacobian(f, (x, w), eps=1e-6)  # [input][output]
analytical = torch.autograd.functional.jacobian(f, (x, w))  # [output][input], shape out + in
jac = []
for o, out in enumerate(f(x, w)):
    for i, inp in enumerate((x, w)):
        a = analytical[o][i].reshape(out.numel(), inp.numel()).t()
        jac.append({"output": o, "input": i, "numerical": numerical[i][o].tolist(), "analytical": a.tolist()})


class DoubledTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return 2 * g * (1 - y * y)


try:
    gradcheck(DoubledTanh.apply, (x,))
    wrong = None
except Exception as e:
    wrong = str(e)

q = torch.tensor([-3.1, -1.26, -0.2, 0.0, 0.33, 0.9, 1.18, 1.31, 2.6, 7.7], dtype=torch.float64, requires_grad=True)
scale, zero_point, qmin, qmax = 0.1, 3, -10, 10
torch.fake_quantize_per_tensor_affine(q.float(), scale, zero_point, qmin, qmax).sum().backward()

out = {"torch": torch.__version__, "x": x.tolist(), "w": w.tolist(), "jacobians": jac,
       "gradcheck": gradcheck(f, (x, w)), "gradgradcheck": gradgradcheck(f, (x, w)),
       "wrong_backward": wrong,
       "fake_quantize": {"x": q.tolist(), "scale": scale, "zero_point": zero_point, "quant_min": qmin, "quant_max": qmax,
                         "grad": q.grad.tolist()}}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "autograd", "autograd.json")
json.dump(out, open(path, "w"), indent=1)
print("wrote", path)
