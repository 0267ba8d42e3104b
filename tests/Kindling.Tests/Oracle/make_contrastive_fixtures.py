#!/usr/bin/python3
"""Contrastive losses computed by PyTorch for Kindling's SelfSupervised tests.

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_contrastive_fixtures.py  -> contrastive/contrastive.json
- "seed_ntxent_*": the seed's NTXentLoss (seed 004, section 4.1) run as written. Its logits are
  cat([positives, sim_matrix]) where sim_matrix (self-similarities removed) still holds the positive, so the
  positive is counted twice in the denominator (a bug: SimCLR's loss counts it once).
- "infonce_*": plain InfoNCE written with cross-entropy over the 2N-1 other samples (SimCLR's NT-Xent, what
  Kindling's NtXentLoss computes), and its gradient with respect to z_i and z_j.
- "moco_*": MoCo's logits and loss (seed 004, section 4.2, and the MoCo repository's einsum form) with a queue
  of negatives, and the gradient with respect to q.
Inputs are stored with the expected values, so the C# test feeds exactly the same numbers.
"""
import json, os
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(11)
N, D, K = 5, 7, 9
z_i = torch.randn(N, D, dtype=torch.float64)
z_j = torch.randn(N, D, dtype=torch.float64)


class NTXentLoss(nn.Module):  # the seed's code, unchanged but for the dtype of its masks' device
    def __init__(self, temperature=0.5):
        super(NTXentLoss, self).__init__()
        self.temperature = temperature

    def forward(self, z_i, z_j):
        batch_size = z_i.size(0)
        z = torch.cat([z_i, z_j], dim=0)
        sim_matrix = F.cosine_similarity(z.unsqueeze(1), z.unsqueeze(0), dim=2)
        sim_matrix = sim_matrix / self.temperature
        mask = torch.eye(2 * batch_size, dtype=torch.bool)
        positives_mask = torch.zeros_like(mask)
        positives_mask[:batch_size, batch_size:] = torch.eye(batch_size, dtype=torch.bool)
        positives_mask[batch_size:, :batch_size] = torch.eye(batch_size, dtype=torch.bool)
        sim_matrix = sim_matrix[~mask].view(2 * batch_size, -1)
        positives = sim_matrix[positives_mask[~mask].view(2 * batch_size, -1)]
        positives = positives.view(2 * batch_size, 1)
        logits = torch.cat([positives, sim_matrix], dim=1)
        labels = torch.zeros(2 * batch_size, dtype=torch.long)
        return F.cross_entropy(logits, labels)


def plain_infonce(z_i, z_j, t):
    n = z_i.size(0)
    z = F.normalize(torch.cat([z_i, z_j]), dim=1)
    sim = z @ z.t() / t
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


cases = {}
for t in [0.5, 0.1, 0.07]:
    cases[f"seed_ntxent_{t}"] = NTXentLoss(t)(z_i, z_j).item()
    a = z_i.clone().requires_grad_(True)
    b = z_j.clone().requires_grad_(True)
    loss = plain_infonce(a, b, t)
    loss.backward()
    cases[f"infonce_{t}"] = loss.item()
    cases[f"infonce_{t}_grad_i"] = a.grad.tolist()
    cases[f"infonce_{t}_grad_j"] = b.grad.tolist()
    # The seed's value is the plain one with the positive's exp added once more to every denominator.
    z = F.normalize(torch.cat([z_i, z_j]), dim=1)
    sim = z @ z.t() / t
    pos = torch.cat([sim.diagonal(N), sim.diagonal(-N)])
    others = sim.masked_fill(torch.eye(2 * N, dtype=torch.bool), float("-inf"))
    dup = (torch.logsumexp(torch.cat([pos[:, None], others], 1), 1) - pos).mean()
    assert abs(dup.item() - cases[f"seed_ntxent_{t}"]) < 1e-12

# MoCo: q and k normalized, queue [dim, K] as MoCo keeps it (column per negative).
q_raw = torch.randn(N, D, dtype=torch.float64)
k_raw = torch.randn(N, D, dtype=torch.float64)
queue = F.normalize(torch.randn(D, K, dtype=torch.float64), dim=0)
for t in [0.07, 0.2]:
    q_leaf = q_raw.clone().requires_grad_(True)
    q = F.normalize(q_leaf, dim=1)
    k = F.normalize(k_raw, dim=1)
    l_pos = torch.einsum('nc,nc->n', [q, k]).unsqueeze(-1)
    l_neg = torch.einsum('nc,ck->nk', [q, queue.clone().detach()])
    logits = torch.cat([l_pos, l_neg], dim=1) / t
    labels = torch.zeros(logits.shape[0], dtype=torch.long)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    cases[f"moco_{t}"] = loss.item()
    cases[f"moco_{t}_logits"] = logits.tolist()
    cases[f"moco_{t}_grad_q"] = q_leaf.grad.tolist()

out = {"torch": torch.__version__, "z_i": z_i.tolist(), "z_j": z_j.tolist(), "q": q_raw.tolist(), "k": k_raw.tolist(),
       "queue_rows": queue.t().tolist(), "expected": cases}
os.makedirs(os.path.join(os.path.dirname(__file__), "contrastive"), exist_ok=True)
with open(os.path.join(os.path.dirname(__file__), "contrastive", "contrastive.json"), "w") as f:
    json.dump(out, f)
print("wrote contrastive/contrastive.json")
