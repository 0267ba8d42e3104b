"""PyTorch twins of Kindling's PixelCNN (src/Kindling/Generative/PixelCnn) and DDPM U-Net (src/Kindling/Generative/Diffusion),
layer for layer, for the reference runs beside Kindling's (pixelcnn_reference.py, ddpm_bench.py)."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class MaskedConv2d(nn.Conv2d):
    """The seed's masked convolution, with the mask applied in forward (weight * mask) instead of `weight.data *= mask`."""

    def __init__(self, mask_type, *args, **kwargs):
        super().__init__(*args, **kwargs)
        k = self.kernel_size[0]
        mask = torch.zeros(1, 1, k, k)
        mask[:, :, : k // 2] = 1
        mask[:, :, k // 2, : k // 2] = 1
        if mask_type == "B":
            mask[:, :, k // 2, k // 2] = 1
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, self.stride, self.padding)


class PixelCNN(nn.Module):
    """The seed's PixelCNN: A layer, then (layers - 1) x [B layer, ReLU], then a 1x1 conv to 256 logits."""

    def __init__(self, num_layers=7, hidden_dim=64, kernel_size=7, levels=256, channels=1):
        super().__init__()
        p = kernel_size // 2
        self.layers = nn.ModuleList([MaskedConv2d("A", channels, hidden_dim, kernel_size, padding=p)])
        for _ in range(num_layers - 1):
            self.layers.append(MaskedConv2d("B", hidden_dim, hidden_dim, kernel_size, padding=p))
            self.layers.append(nn.ReLU())
        self.output = nn.Conv2d(hidden_dim, levels * channels, 1)
        self.levels, self.channels = levels, channels

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        logits = self.output(x)
        n, _, h, w = logits.shape
        return logits.view(n, self.channels, self.levels, h, w).transpose(1, 2)


def groups(channels):
    g = 8
    while channels % g:
        g -= 1
    return g


def sinusoidal(t, dim):
    half = dim // 2
    freqs = torch.exp(torch.arange(half, dtype=torch.float32) * (-math.log(10000) / half))
    args = t.float()[:, None] * freqs[None]
    return torch.cat([args.sin(), args.cos()], 1)


class TimeResidualBlock(nn.Module):
    def __init__(self, cin, cout, tch):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups(cin), cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups(cout), cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.time = nn.Linear(tch, cout) if tch > 0 else None
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time is not None:
            h = h + self.time(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + (x if self.skip is None else self.skip(x))


class DiffusionUNet(nn.Module):
    """Kindling's DiffusionUNet with the sinusoidal time embedding (the default)."""

    def __init__(self, image_channels=1, channels=32, multipliers=(1, 2, 2), time_dim=64):
        super().__init__()
        widths = [channels * m for m in multipliers]
        tch = 4 * channels
        self.time_dim = time_dim
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, tch), nn.SiLU(), nn.Linear(tch, tch))
        self.input = nn.Conv2d(image_channels, widths[0], 3, padding=1)
        levels = len(widths)
        self.down = nn.ModuleList([TimeResidualBlock(widths[0] if l == 0 else widths[l - 1], widths[l], tch) for l in range(levels - 1)])
        self.downsample = nn.ModuleList([nn.Conv2d(widths[l], widths[l], 3, stride=2, padding=1) for l in range(levels - 1)])
        self.middle = TimeResidualBlock(widths[levels - 2], widths[levels - 1], tch)
        self.up = nn.ModuleList([TimeResidualBlock(widths[l + 1] + widths[l], widths[l], tch) for l in range(levels - 1)])
        self.out_norm = nn.GroupNorm(groups(widths[0]), widths[0])
        self.output = nn.Conv2d(widths[0], image_channels, 3, padding=1)

    def forward(self, x, t):
        emb = F.silu(self.time_mlp(sinusoidal(t, self.time_dim).to(x.dtype)))
        h = self.input(x)
        skips = []
        for block, down in zip(self.down, self.downsample):
            h = block(h, emb)
            skips.append(h)
            h = down(h)
        h = self.middle(h, emb)
        for l in reversed(range(len(self.up))):
            h = F.interpolate(h, scale_factor=2, mode="nearest")
            h = self.up[l](torch.cat([h, skips[l]], 1), emb)
        return self.output(F.silu(self.out_norm(h)))


def cosine_alphas_cumprod(timesteps, s=0.008):
    """The seed's cosine_beta_schedule in float64, clipped to [1e-4, 0.999] (Nichol & Dhariwal), and its cumulative product."""
    x = torch.linspace(0, timesteps, timesteps + 1, dtype=torch.float64)
    ac = torch.cos(((x / timesteps) + s) / (1 + s) * torch.pi * 0.5) ** 2
    ac = ac / ac[0]
    betas = torch.clip(1 - (ac[1:] / ac[:-1]), 0.0001, 0.999)
    return torch.cumprod(1 - betas, 0)
