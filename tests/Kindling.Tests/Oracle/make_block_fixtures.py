#!/usr/bin/python3
"""SE and ECA blocks computed by PyTorch for Kindling's block tests.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_block_fixtures.py  -> blocks/blocks.json
The reference modules are the seeds' SEBlock and ECABlock (the ECA paper's code), copied verbatim;
weights, inputs and outputs are stored so the C# test loads exactly the same numbers.
"""
import json, math, os
import torch
import torch.nn as nn


class SEBlock(nn.Module):
    def __init__(self, channels, reduction=16):
        super(SEBlock, self).__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(
            nn.Linear(channels, channels // reduction, bias=False),
            nn.ReLU(inplace=True),
            nn.Linear(channels // reduction, channels, bias=False),
            nn.Sigmoid()
        )

    def forward(self, x):
        batch, channels, _, _ = x.size()
        y = self.avg_pool(x).view(batch, channels)
        y = self.fc(y).view(batch, channels, 1, 1)
        return x * y.expand_as(x)


class ECABlock(nn.Module):
    def __init__(self, channels, gamma=2, b=1):
        super(ECABlock, self).__init__()
        t = int(abs((math.log(channels, 2) + b) / gamma))
        k = t if t % 2 else t + 1
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.conv = nn.Conv1d(1, 1, kernel_size=k, padding=k // 2, bias=False)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        y = self.avg_pool(x)
        y = self.conv(y.squeeze(-1).transpose(-1, -2))
        y = y.transpose(-1, -2).unsqueeze(-1)
        y = self.sigmoid(y)
        return x * y.expand_as(x)


def case(module, shape):
    x = torch.randn(*shape)
    with torch.no_grad():
        y = module(x)
    return {
        "input_shape": list(shape),
        "input": x.flatten().tolist(),
        "weights": {k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in module.state_dict().items()},
        "expected": y.flatten().tolist(),
    }


torch.manual_seed(11)
se = SEBlock(16, reduction=4)
out = {"se": dict(case(se, (2, 16, 3, 3)), channels=16, reduction=4)}
eca_cases = []
for channels in (16, 256):
    eca = ECABlock(channels)
    # Larger weights than the default init so the sigmoid is far from 0.5 and a wrong neighbour shows.
    with torch.no_grad():
        eca.conv.weight.normal_(0, 1)
    c = case(eca, (2, channels, 1, 2) if channels > 64 else (2, channels, 2, 2))
    c.update(channels=channels, kernel_size=eca.conv.kernel_size[0])
    eca_cases.append(c)
out["eca"] = eca_cases
out["eca_kernel_sizes"] = {str(c): (lambda t: t if t % 2 else t + 1)(int(abs((math.log(c, 2) + 1) / 2)))
                           for c in (1, 2, 8, 16, 32, 64, 100, 128, 256, 512, 1024, 2048)}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "blocks", "blocks.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump(out, f)
print(path, os.path.getsize(path), "bytes")
