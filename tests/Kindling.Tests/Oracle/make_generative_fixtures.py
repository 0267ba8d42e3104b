#!/usr/bin/python3
"""Numbers PyTorch defines for Kindling's generative models (tests/Kindling.Tests/Generative).

Run: /usr/bin/python3 tests/Kindling.Tests/Oracle/make_generative_fixtures.py  -> generative/generative.json
- vae: seed 004's VAE (784-400-20 there; tiny sizes here) with fixed weights: encode, decode at z = mu + eps * std, and the
  seed's vae_loss / beta_vae_loss terms (binary_cross_entropy on sigmoid outputs, reduction sum; KLD).
- gradient_penalty: seed 004's gradient_penalty (autograd.grad with create_graph) on a small critic at fixed real, fake and
  alpha, and the gradient of the penalty with respect to the critic's weights (the double backward the critic's step takes).
- grid: torchvision.utils.make_grid and save_image's byte conversion.
Inputs are stored with the expected values, so the C# tests feed exactly the same numbers.
"""
import json, os
from collections import OrderedDict
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

torch.manual_seed(15)
out = {"torch": torch.__version__, "torchvision": torchvision.__version__}

# ---- VAE: the seed's class at input 9 (1x3x3), hidden 6, latent 3.
class VAE(nn.Module):
    def __init__(self, input_dim=9, hidden_dim=6, latent_dim=3):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.fc_mu = nn.Linear(hidden_dim, latent_dim)
        self.fc_logvar = nn.Linear(hidden_dim, latent_dim)
        self.fc3 = nn.Linear(latent_dim, hidden_dim)
        self.fc4 = nn.Linear(hidden_dim, input_dim)
    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc_mu(h), self.fc_logvar(h)
    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

def vae_loss(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 9), reduction='sum')
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD, BCE, KLD

vae = VAE().double()
x = torch.rand(4, 1, 3, 3).double()
eps = torch.randn(4, 3).double()
with torch.no_grad():
    mu, logvar = vae.encode(x.view(-1, 9))
    z = mu + eps * torch.exp(0.5 * logvar)
    recon = vae.decode(z)
    logits = vae.fc4(F.relu(vae.fc3(z)))
    loss, bce, kld = vae_loss(recon, x, mu, logvar)
    bce_per = F.binary_cross_entropy(recon, x.view(-1, 9), reduction='none').sum(1)
    kl_per = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)
    beta_loss = bce + 4.0 * kld
out["vae"] = {
    "state": {k: v.tolist() for k, v in vae.state_dict().items()},
    "x": x.tolist(), "eps": eps.tolist(), "mu": mu.tolist(), "logvar": logvar.tolist(), "z": z.tolist(),
    "logits": logits.tolist(), "recon": recon.tolist(),
    "loss_sum": loss.item(), "bce_sum": bce.item(), "kld_sum": kld.item(), "beta4_loss_sum": beta_loss.item(),
    "bce_per_image": bce_per.tolist(), "kl_per_image": kl_per.tolist(),
}

# ---- Gradient penalty: a small critic on 1x4x4 images.
def gradient_penalty(discriminator, real_imgs, fake_imgs, alpha):
    batch_size = real_imgs.size(0)
    interpolates = (alpha * real_imgs + (1 - alpha) * fake_imgs).requires_grad_(True)
    d_interpolates = discriminator(interpolates)
    fake = torch.ones(batch_size, 1, dtype=real_imgs.dtype)
    gradients = torch.autograd.grad(outputs=d_interpolates, inputs=interpolates, grad_outputs=fake,
                                    create_graph=True, retain_graph=True, only_inputs=True)[0]
    gradients = gradients.view(batch_size, -1)
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean()

critic = nn.Sequential(OrderedDict(conv=nn.Conv2d(1, 2, 3, 2, 1), act=nn.LeakyReLU(0.2), flat=nn.Flatten(), fc=nn.Linear(8, 1))).double()
real = torch.rand(3, 1, 4, 4).double() * 2 - 1
fake = torch.rand(3, 1, 4, 4).double() * 2 - 1
alpha = torch.rand(3, 1, 1, 1).double()
gp = gradient_penalty(critic, real, fake, alpha)
# The biases do not move a piecewise-linear critic's input gradient: their gradients are None, i.e. 0.
grads = [torch.zeros_like(p) if g is None else g for p, g in zip(critic.parameters(), torch.autograd.grad(gp, list(critic.parameters()), allow_unused=True))]
out["gradient_penalty"] = {
    "state": {k: v.tolist() for k, v in critic.state_dict().items()},
    "real": real.tolist(), "fake": fake.tolist(), "alpha": alpha.flatten().tolist(), "gp": gp.item(),
    "grads": {name: g.tolist() for (name, _), g in zip(critic.named_parameters(), grads)},
}

# ---- make_grid and save_image's conversion.
grids = {}
for name, shape, nrow, padding in [("gray5_nrow2_pad1", (5, 1, 3, 4), 2, 1), ("rgb7_nrow3_pad2", (7, 3, 2, 3), 3, 2), ("gray3_nrow8_pad2", (3, 1, 2, 2), 8, 2), ("single", (1, 3, 2, 2), 8, 2)]:
    images = torch.rand(*shape)
    grid = torchvision.utils.make_grid(images, nrow=nrow, padding=padding)
    data = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to("cpu", torch.uint8)
    grids[name] = {"images": images.tolist(), "nrow": nrow, "padding": padding, "grid_shape": list(grid.shape),
                   "grid": grid.tolist(), "bytes_hwc": data.flatten().tolist()}
out["grid"] = grids

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generative", "generative.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
