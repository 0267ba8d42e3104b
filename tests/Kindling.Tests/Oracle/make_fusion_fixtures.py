#!/usr/bin/python3
"""Conv-BN and Linear-BN folding computed by PyTorch for Kindling's fusion tests.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_fusion_fixtures.py  -> fusion/fusion.json
Each case holds the layer's and BatchNorm's tensors (random weights, non-trivial running statistics)
and what torch.nn.utils.fusion.fuse_conv_bn_eval / fuse_linear_bn_eval make of them, plus an input
and the unfused eval-mode output, so the C# test checks the folded weights and the fused output.
"""
import json, os
import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval


def t(v):
    return {"shape": list(v.shape), "data": v.detach().flatten().tolist()}


def randomize_bn(bn):
    with torch.no_grad():
        if bn.affine:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.2, 2.0)


def case(layer, bn, input_shape):
    randomize_bn(bn)
    layer.eval()
    bn.eval()
    x = torch.randn(*input_shape)
    with torch.no_grad():
        expected = bn(layer(x))
    fuse = fuse_linear_bn_eval if isinstance(layer, nn.Linear) else fuse_conv_bn_eval
    fused = fuse(layer, bn)
    c = {
        "weight": t(layer.weight),
        "bias": t(layer.bias) if layer.bias is not None else None,
        "running_mean": t(bn.running_mean),
        "running_var": t(bn.running_var),
        "gamma": t(bn.weight) if bn.affine else None,
        "beta": t(bn.bias) if bn.affine else None,
        "eps": bn.eps,
        "fused_weight": t(fused.weight),
        "fused_bias": t(fused.bias),
        "input": t(x),
        "expected": t(expected),
    }
    if isinstance(layer, nn.Conv2d):
        c.update(stride=list(layer.stride), padding=list(layer.padding), groups=layer.groups)
    return c


torch.manual_seed(5)
cases = {
    # The seed CNN's bias-free 3x3 convolution.
    "conv3x3_no_bias": case(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), (2, 3, 6, 6)),
    # A strided convolution with a bias and a larger eps.
    "conv_bias_stride_eps": case(nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=True), nn.BatchNorm2d(6, eps=1e-3), (2, 4, 7, 7)),
    # MobileNetV2's depthwise convolution.
    "depthwise": case(nn.Conv2d(6, 6, 3, padding=1, groups=6, bias=False), nn.BatchNorm2d(6), (2, 6, 5, 5)),
    # A BatchNorm without affine parameters.
    "conv1x1_not_affine": case(nn.Conv2d(5, 4, 1, bias=False), nn.BatchNorm2d(4, affine=False), (2, 5, 4, 4)),
    "linear": case(nn.Linear(10, 7), nn.BatchNorm1d(7), (3, 10)),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fusion", "fusion.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print("wrote", out)
