#!/usr/bin/python3
"""Quantization parameters and fake-quant values computed by PyTorch for Kindling's observer tests.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_quant_fixtures.py  -> quantization/observers.json
The observed batches are stored with the expected values, so the C# test feeds exactly the same numbers.
Percentile is Kindling's definition (the 1-p and p quantiles of each batch, averaged over batches), turned
into parameters by PyTorch's own MinMaxObserver formula.
"""
import json, os
import torch
from torch.ao.quantization import MinMaxObserver, MovingAverageMinMaxObserver, PerChannelMinMaxObserver

torch.manual_seed(11)
batches = [torch.randn(4, 8, 5, 5) * s + m for s, m in [(1.0, 0.3), (2.5, -0.2), (0.7, 1.1)]]
relu_batches = [b.clamp(min=0) for b in batches]
weights = torch.randn(6, 4, 3, 3) * torch.linspace(0.05, 1.0, 6).view(6, 1, 1, 1)


def qparams(obs, data):
    for b in data:
        obs(b)
    s, z = obs.calculate_qparams()
    return {"scale": s.flatten().tolist(), "zero_point": z.flatten().tolist()}


cases = {
    "minmax_uint8_affine": qparams(MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine), batches),
    "minmax_uint8_affine_relu": qparams(MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine), relu_batches),
    "minmax_int8_symmetric": qparams(MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric), batches),
    "moving_average_uint8_affine": qparams(MovingAverageMinMaxObserver(averaging_constant=0.01, dtype=torch.quint8, qscheme=torch.per_tensor_affine), batches),
    "per_channel_int8_symmetric": qparams(PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric), [weights]),
}

p = 0.99
lo = sum(torch.quantile(b.flatten().double(), 1 - p).item() for b in batches) / len(batches)
hi = sum(torch.quantile(b.flatten().double(), p).item() for b in batches) / len(batches)
cases["percentile_0.99_uint8_affine"] = qparams(MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine), [torch.tensor([lo, hi], dtype=torch.float32)])

# Fake quantization with the straight-through gradient (1 inside the range, 0 where clamped): values
# beyond the first batch's range are clamped.
x = (torch.randn(40) * 3).requires_grad_()
g = torch.randn(40)
s, z = cases["minmax_uint8_affine"]["scale"][0], cases["minmax_uint8_affine"]["zero_point"][0]
y = torch.fake_quantize_per_tensor_affine(x, s, z, 0, 255)
(y * g).sum().backward()
fq_tensor = {"x": x.detach().tolist(), "g": g.tolist(), "scale": s, "zero_point": z, "y": y.detach().tolist(), "grad": x.grad.tolist()}

w = (weights * 1.3).requires_grad_()
gw = torch.randn_like(w)
pc = cases["per_channel_int8_symmetric"]
yw = torch.fake_quantize_per_channel_affine(w, torch.tensor(pc["scale"]), torch.tensor(pc["zero_point"], dtype=torch.int32), 0, -128, 127)
(yw * gw).sum().backward()
fq_channel = {"w": w.detach().flatten().tolist(), "shape": list(w.shape), "g": gw.flatten().tolist(), "y": yw.detach().flatten().tolist(), "grad": w.grad.flatten().tolist()}

out = {
    "torch_version": torch.__version__,
    "batch_shape": list(batches[0].shape),
    "batches": [b.flatten().tolist() for b in batches],
    "weights_shape": list(weights.shape),
    "weights": weights.flatten().tolist(),
    "percentile": p,
    "cases": cases,
    "fake_quant_per_tensor": fq_tensor,
    "fake_quant_per_channel": fq_channel,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "quantization", "observers.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
