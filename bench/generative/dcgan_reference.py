#!/usr/bin/python3
"""Seed 004's DCGAN training step in PyTorch: the reference for `kindling bench gan --task dcgan`.

The generator and discriminator are the seed's, layer for layer, as Kindling builds them (src/Kindling/Generative/Gan):
BatchNorm eps PyTorch's default (the seed's 0.8 is eps by mistake; see docs/generative.md), the discriminator's final side
computed (28 -> 14 -> 7 -> 4 -> 2, so Linear(512, 1); the seed's Linear(128, 1) fails on 28x28), no Sigmoid (BCE with
logits). One step = the discriminator's step on real and detached fake images (real target 0.9) and the generator's step on
the same noise's images, Adam lr 2e-4 betas (0.5, 0.999) for both, on one fixed synthetic batch of 1x28x28 images in [-1, 1].
Prints the same JSON as Kindling's side; the parameter counts must agree.

  /usr/bin/python3 bench/generative/dcgan_reference.py [--batch 64] [--steps 50] [--threads 2] [--nchw]
"""
import argparse, json, os, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class DCGANGenerator(nn.Module):
    def __init__(self, latent_dim=100, channels=1, side=28):
        super().__init__()
        self.init_size = side // 4
        self.l1 = nn.Sequential(nn.Linear(latent_dim, 128 * self.init_size ** 2))
        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(128),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 128, 3, stride=1, padding=1),
            nn.BatchNorm2d(128),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(128, 64, 3, stride=1, padding=1),
            nn.BatchNorm2d(64),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(64, channels, 3, stride=1, padding=1),
            nn.Tanh())

    def forward(self, z):
        return self.conv_blocks(self.l1(z).view(z.shape[0], 128, self.init_size, self.init_size))


class DCGANDiscriminator(nn.Module):
    def __init__(self, channels=1, side=28):
        super().__init__()

        def block(i, o, bn=True):
            b = [nn.Conv2d(i, o, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True), nn.Dropout2d(0.25)]
            if bn:
                b.append(nn.BatchNorm2d(o))
            return b
        self.model = nn.Sequential(*block(channels, 16, bn=False), *block(16, 32), *block(32, 64), *block(64, 128))
        for _ in range(4):
            side = (side + 1) // 2
        self.adv_layer = nn.Sequential(nn.Linear(128 * side * side, 1))

    def forward(self, img):
        out = self.model(img)
        return self.adv_layer(out.reshape(out.shape[0], -1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--nchw", action="store_true")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    fmt = torch.contiguous_format if args.nchw else torch.channels_last
    G, D = DCGANGenerator().to(memory_format=fmt), DCGANDiscriminator().to(memory_format=fmt)
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = (torch.rand(args.batch, 1, 28, 28) * 2 - 1).contiguous(memory_format=fmt)
    times = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        z = torch.randn(args.batch, 100)
        fake = G(z)
        opt_d.zero_grad(set_to_none=True)
        real_score, fake_score = D(real), D(fake.detach())
        d_loss = (F.binary_cross_entropy_with_logits(real_score, torch.full_like(real_score, 0.9))
                  + F.binary_cross_entropy_with_logits(fake_score, torch.zeros_like(fake_score))) / 2
        d_loss.backward()
        d_loss.item()
        opt_d.step()
        opt_g.zero_grad(set_to_none=True)
        score = D(fake)
        g_loss = F.binary_cross_entropy_with_logits(score, torch.ones_like(score))
        g_loss.backward()
        g_loss.item()
        opt_g.step()
        if step >= args.warmup:
            times.append((time.perf_counter() - start) * 1000)
    params = sum(p.numel() for p in G.parameters()) + sum(p.numel() for p in D.parameters())
    median = statistics.median(times)
    print(json.dumps({"side": "pytorch", "case": "dcgan", "batch": args.batch, "steps": len(times), "threads": torch.get_num_threads(),
                      "channels_last": not args.nchw, "parameters": params, "median_ms": median, "min_ms": min(times),
                      "images_per_second": args.batch / (median / 1000)}))


if __name__ == "__main__":
    main()
