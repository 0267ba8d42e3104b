"""The DDPM U-Net training step in PyTorch 1.13, as `kindling bench ddpm` times it in Kindling: a fixed synthetic batch of
Fashion-MNIST's shape, t ~ U{0..T-1} and Gaussian noise drawn each step, x_t from the cosine schedule, the U-Net's noise
prediction, MSE, backward, AdamW (lr 1e-3, weight decay 0.05 on weights, not on biases and norms), gradients set to None.
Prints one JSON line: images_per_second and milliseconds per step.

  /usr/bin/python3 bench/generative/ddpm_bench.py --batch 128 --steps 20 --threads 2 [--nchw]
"""
import argparse, json, os, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import DiffusionUNet, cosine_alphas_cumprod

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=128)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--threads", type=int, default=0)
p.add_argument("--channels", type=int, default=32)
p.add_argument("--timesteps", type=int, default=1000)
p.add_argument("--nchw", action="store_true", help="plain NCHW (default: channels-last, as Kindling's recipe on the CPU)")
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()

if a.threads > 0:
    torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
model = DiffusionUNet(1, a.channels, (1, 2, 2), 64)
fmt = torch.contiguous_format if a.nchw else torch.channels_last
model = model.to(memory_format=fmt)
decay = [p for p in model.parameters() if p.dim() > 1]
no_decay = [p for p in model.parameters() if p.dim() <= 1]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
ac = cosine_alphas_cumprod(a.timesteps).float()
x0 = torch.randn(a.batch, 1, 28, 28).contiguous(memory_format=fmt)
model.train()


def step():
    t = torch.randint(0, a.timesteps, (a.batch,))
    noise = torch.randn_like(x0)
    abar = ac[t].view(-1, 1, 1, 1)
    xt = abar.sqrt() * x0 + (1 - abar).sqrt() * noise
    loss = F.mse_loss(model(xt, t), noise)
    loss.item()
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)


for _ in range(a.warmup):
    step()
times = []
for _ in range(a.steps):
    start = time.perf_counter()
    step()
    times.append(time.perf_counter() - start)
total = sum(times)
params = sum(p.numel() for p in model.parameters())
print(json.dumps({"kind": "ddpm-train", "side": "pytorch", "torch": torch.__version__, "batch": a.batch, "threads": torch.get_num_threads(),
                  "channels_last": not a.nchw, "parameters": params, "steps": a.steps, "images_per_second": a.batch * a.steps / total,
                  "step_ms": 1000 * total / a.steps, "best_step_ms": 1000 * min(times)}))
