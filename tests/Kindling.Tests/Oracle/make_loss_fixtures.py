#!/usr/bin/python3
"""Losses computed by PyTorch for Kindling's loss tests.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_loss_fixtures.py  -> losses/losses.json
Inputs are stored with the expected values, so the C# test feeds exactly the same numbers.
"""
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(7)
N, K = 6, 5
logits = (torch.randn(N, K) * 2).double()
teacher = (torch.randn(N, K) * 3).double()
labels = torch.tensor([0, 3, 4, 1, 1, 2])
labels_b = torch.tensor([2, 2, 0, 4, 3, 1])
bin_logits = torch.randn(N, 3).double()
bin_targets = torch.randint(0, 2, (N, 3)).double()
pos_weight = torch.tensor([1.0, 2.0, 0.5]).double()

cases = {}
for eps in [0.0, 0.1, 0.3]:
    for red in ["mean", "sum", "none"]:
        cases[f"ce_ls{eps}_{red}"] = F.cross_entropy(logits, labels, label_smoothing=eps, reduction=red).tolist()

# The seeds' formula (LabelSmoothingCrossEntropy) must equal PyTorch's label_smoothing.
one_hot = torch.zeros_like(logits).scatter(1, labels.unsqueeze(1), 1)
smoothed = one_hot * (1 - 0.1) + 0.1 / K
seed_ls = (-smoothed * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
assert abs(seed_ls.item() - cases["ce_ls0.1_mean"]) < 1e-12
cases["seed_label_smoothing_0.1"] = seed_ls.item()

# Class weights with label smoothing: PyTorch 1.13's weighted mean divides the NLL part by the sum of the targets'
# weights and the smoothing part, -(w * log_softmax).sum(1) / K, by the same sum.
class_weight = torch.tensor([0.5, 2.0, 1.0, 3.0, 0.25]).double()
for eps in [0.0, 0.1, 0.3]:
    for red in ["mean", "sum", "none"]:
        cases[f"ce_w_ls{eps}_{red}"] = F.cross_entropy(logits, labels, weight=class_weight, label_smoothing=eps, reduction=red).tolist()
logp = F.log_softmax(logits, dim=1)
w_y = class_weight[labels]
by_hand = (1 - 0.1) * (-(w_y * logp.gather(1, labels.unsqueeze(1)).squeeze(1)).sum() / w_y.sum()) \
    + 0.1 * (-(logp * class_weight).sum(1).sum() / w_y.sum()) / K
assert abs(by_hand.item() - cases["ce_w_ls0.1_mean"]) < 1e-12

cases["bce_logits_mean"] = F.binary_cross_entropy_with_logits(bin_logits, bin_targets).item()
cases["bce_logits_pos_weight_mean"] = F.binary_cross_entropy_with_logits(bin_logits, bin_targets, pos_weight=pos_weight).item()
cases["bce_logits_sum"] = F.binary_cross_entropy_with_logits(bin_logits, bin_targets, reduction="sum").item()

lam = 0.37
cases["mixup_ce_ls0.1"] = (lam * F.cross_entropy(logits, labels, label_smoothing=0.1)
                           + (1 - lam) * F.cross_entropy(logits, labels_b, label_smoothing=0.1)).item()

for alpha, T in [(0.5, 4.0), (0.1, 2.0), (1.0, 1.0)]:
    ce = F.cross_entropy(logits, labels)
    kd = F.kl_div(F.log_softmax(logits / T, dim=1), F.softmax(teacher / T, dim=1), reduction="batchmean") * T * T
    cases[f"kd_a{alpha}_t{T}"] = (alpha * ce + (1 - alpha) * kd).item()

out = {"torch": torch.__version__, "logits": logits.tolist(), "teacher": teacher.tolist(), "labels": labels.tolist(),
       "labels_b": labels_b.tolist(), "lam": lam, "bin_logits": bin_logits.tolist(), "bin_targets": bin_targets.tolist(),
       "pos_weight": pos_weight.tolist(), "class_weight": class_weight.tolist(), "expected": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses", "losses.json")
json.dump(out, open(path, "w"), indent=1)
print("wrote", path)
