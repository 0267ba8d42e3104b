#!/usr/bin/python3
"""Multi-head attention with key-padding masks, and the margin-based contrastive loss, computed by PyTorch.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_attention_fixtures.py  -> attention/attention.json
Attention: nn.MultiheadAttention(embed_dim, num_heads, batch_first=True) called with key_padding_mask (bool, True =
padding), need_weights=True; both the head-averaged weights (PyTorch's default) and the per-head ones
(average_attn_weights=False) are stored; the C# tests read the averaged ones (TorchSharp's binding of libtorch's module has
no average_attn_weights switch). The "fully_padded" case has a batch element whose keys are all padding:
PyTorch 1.13 returns NaN for it (softmax over nothing); the C# test checks the other elements against PyTorch and
Kindling's documented choice for that one.
Margin loss (Hadsell, Chopra & LeCun 2006, without their 1/2): d = F.pairwise_distance(a, b) (p 2, eps 1e-6, as
PyTorch's distance losses), loss = y d^2 + (1 - y) max(0, margin - d)^2, with reductions and input gradients.
"""
import json, os
import torch
import torch.nn as nn
import torch.nn.functional as F


def flat(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().flatten().tolist()]}


def attention_case(name, dim, heads, batch, lq, lk, lengths, cross):
    mha = nn.MultiheadAttention(dim, heads, batch_first=True)
    with torch.no_grad():
        mha.in_proj_bias.normal_(0, 0.1)  # PyTorch initialises the biases to 0: make them count
        mha.out_proj.bias.normal_(0, 0.1)
    q = torch.randn(batch, lq, dim)
    kv = torch.randn(batch, lk, dim) if cross else q
    mask = torch.arange(lk).unsqueeze(0) >= torch.tensor(lengths).unsqueeze(1)  # True = padding
    mha.eval()
    with torch.no_grad():
        out, w = mha(q, kv, kv, key_padding_mask=mask, need_weights=True)
        out_h, w_h = mha(q, kv, kv, key_padding_mask=mask, need_weights=True, average_attn_weights=False)
    assert torch.allclose(out, out_h, equal_nan=True)
    return {
        "name": name, "dim": dim, "heads": heads, "cross": cross, "lengths": lengths,
        "weights": {k: flat(v) for k, v in mha.state_dict().items()},
        "query": flat(q), "key": flat(kv),
        "output": flat(torch.nan_to_num(out, nan=1e30)), "attention": flat(torch.nan_to_num(w, nan=1e30)),
        "attention_per_head": flat(torch.nan_to_num(w_h, nan=1e30)),
        "nan_batch_elements": [i for i in range(batch) if torch.isnan(out[i]).any().item()],
    }


def margin_case(margin, reduction, n, dim):
    a = torch.randn(n, dim, requires_grad=True)
    b = (a.detach() + 0.3 * torch.randn(n, dim)).requires_grad_(True)
    with torch.no_grad():
        b[n // 2:] = torch.randn(n - n // 2, dim) * 0.4  # some far pairs, some inside the margin
        b[0] = a[0]  # identical pair: d = eps-level, the gradient must stay finite
    y = (torch.arange(n) % 2 == 0).float()
    d = F.pairwise_distance(a, b)
    per = y * d.pow(2) + (1 - y) * torch.clamp(margin - d, min=0).pow(2)
    loss = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    loss.backward(torch.ones_like(loss))
    return {"margin": margin, "reduction": reduction, "a": flat(a), "b": flat(b), "y": flat(y),
            "distance": flat(d), "loss": flat(loss), "grad_a": flat(a.grad), "grad_b": flat(b.grad)}


torch.manual_seed(16)
fixture = {
    "torch_version": torch.__version__,
    "attention": [
        attention_case("self", 8, 2, 3, 5, 5, [5, 3, 1], False),
        attention_case("cross", 12, 3, 2, 4, 6, [6, 2], True),
        attention_case("fully_padded", 8, 2, 3, 3, 4, [4, 0, 2], True),
    ],
    "margin": [margin_case(1.0, "mean", 8, 5), margin_case(2.0, "sum", 6, 3), margin_case(0.5, "none", 6, 4)],
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attention", "attention.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump(fixture, f)
print("wrote", out)
