"""Fixtures for Kindling's generative evaluation and diffusion schedule (run with /usr/bin/python3, PyTorch 1.13, numpy, scipy).

generative/diffusion_schedule.json: the seed's cosine_beta_schedule (seed 004 section 1.4) computed with torch in float64,
clipped to [1e-4, 0.999] as Nichol & Dhariwal do (the seed clips to 0.9999), its alphas_cumprod, the DDPM posterior
coefficients (Ho et al. 2020 eq. 7) and DDIM's trailing timesteps, for T = 20 and T = 1000.
generative/frechet.json: fixed feature sets and their Frechet distance from scipy.linalg.sqrtm (pytorch-fid's formula).
"""
import json, math, os
import numpy as np
import torch
import scipy.linalg

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "generative")
os.makedirs(out, exist_ok=True)


def cosine_beta_schedule(timesteps, s=0.008, max_beta=0.999):
    # The seed's formula, in float64; the clip's upper end is the paper's 0.999.
    steps = timesteps + 1
    x = torch.linspace(0, timesteps, steps, dtype=torch.float64)
    alphas_cumprod = torch.cos(((x / timesteps) + s) / (1 + s) * torch.pi * 0.5) ** 2
    alphas_cumprod = alphas_cumprod / alphas_cumprod[0]
    betas = 1 - (alphas_cumprod[1:] / alphas_cumprod[:-1])
    return torch.clip(betas, 0.0001, max_beta)


schedules = {}
for T in (20, 1000):
    betas = cosine_beta_schedule(T)
    alphas = 1 - betas
    ac = torch.cumprod(alphas, 0)
    ac_prev = torch.cat([torch.ones(1, dtype=torch.float64), ac[:-1]])
    coef_x0 = betas * torch.sqrt(ac_prev) / (1 - ac)
    coef_xt = (1 - ac_prev) * torch.sqrt(alphas) / (1 - ac)
    variance = betas * (1 - ac_prev) / (1 - ac)
    steps = 5 if T == 20 else 50
    ddim = [int(np.round((i + 1) * T / steps)) - 1 for i in range(steps)]
    schedules[str(T)] = {
        "betas": betas.tolist(), "alphas_cumprod": ac.tolist(), "posterior_coef_x0": coef_x0.tolist(),
        "posterior_coef_xt": coef_xt.tolist(), "posterior_variance": variance.tolist(), "ddim_steps": steps, "ddim_timesteps": ddim,
    }
with open(os.path.join(out, "diffusion_schedule.json"), "w") as f:
    json.dump(schedules, f)


def frechet(a, b):
    # pytorch-fid's calculate_frechet_distance with scipy's sqrtm.
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


rng = np.random.default_rng(15)
D = 16
mix = rng.normal(size=(D, D))
a = rng.normal(size=(300, D)) @ mix * 0.5 + 1.0
b = rng.normal(size=(200, D)) @ (mix + 0.3 * rng.normal(size=(D, D))) * 0.6 + 0.8
# Rank-deficient: fewer samples than dimensions (singular covariances), the case sqrtm finds hardest.
c = rng.normal(size=(10, D))
d = rng.normal(size=(12, D)) + 0.5
with open(os.path.join(out, "frechet.json"), "w") as f:
    json.dump({
        "a": a.tolist(), "b": b.tolist(), "fid_ab": frechet(a, b), "fid_aa": frechet(a, a),
        "c": c.tolist(), "d": d.tolist(), "fid_cd": frechet(c, d),
    }, f)
print("written", out)
