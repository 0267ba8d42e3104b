"""Makes transforms/functional.json: torchvision's deterministic image ops on a small fixed image.

Run with the system PyTorch (1.13) and torchvision (0.14):  /usr/bin/python3 make_transform_fixtures.py
Kindling.Tests.Data.Transforms.TorchvisionFixtureTests replays every case with Kindling's ops.
"""
import json
import math
import os

import torch
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

torch.manual_seed(0)
# A 3x8x8 uint8 image with full-range values, some flat patches (equal channels, saturated pixels).
u8 = torch.randint(0, 256, (3, 8, 8), dtype=torch.uint8)
u8[:, 0, 0] = 255
u8[:, 1, 1] = 0
u8[:, 2, 2] = 77
f32 = u8.float() / 255.0

cases = []


def add(name, op, params, src, out):
    out = out.contiguous()
    data = out.flatten().tolist()
    if out.dtype != torch.uint8:
        data = [float("%.8g" % v) for v in data]  # float32 needs 8 significant digits, not 17
    cases.append({"name": name, "op": op, "params": params, "input": "u8" if src is u8 else "f32",
                  "dtype": "uint8" if out.dtype == torch.uint8 else "float32", "shape": list(out.shape), "data": data})


for src, tag in ((u8, "u8"), (f32, "f32")):
    add(f"grayscale_{tag}", "grayscale", {}, src, F.rgb_to_grayscale(src))
    for fac in (0.6, 1.3):
        add(f"brightness_{tag}_{fac}", "brightness", {"factor": fac}, src, F.adjust_brightness(src, fac))
    for fac in (0.6, 1.5):
        add(f"contrast_{tag}_{fac}", "contrast", {"factor": fac}, src, F.adjust_contrast(src, fac))
    for fac in (0.3, 1.7):
        add(f"saturation_{tag}_{fac}", "saturation", {"factor": fac}, src, F.adjust_saturation(src, fac))
    for fac in (-0.35, 0.2):
        add(f"hue_{tag}_{fac}", "hue", {"factor": fac}, src, F.adjust_hue(src, fac))
    for fac in (0.4, 1.8):
        add(f"sharpness_{tag}_{fac}", "sharpness", {"factor": fac}, src, F.adjust_sharpness(src, fac))
    add(f"autocontrast_{tag}", "autocontrast", {}, src, F.autocontrast(src))
    add(f"solarize_{tag}", "solarize", {"threshold": 128 if src is u8 else 0.5}, src, F.solarize(src, 128 if src is u8 else 0.5))
    add(f"blur_{tag}", "blur", {"kx": 3, "ky": 5, "sx": 1.0, "sy": 0.7}, src, F.gaussian_blur(src, [3, 5], [1.0, 0.7]))
    for mode in ("reflect", "symmetric", "edge", "constant"):
        add(f"pad_{mode}_{tag}", "pad", {"mode": mode, "left": 2, "top": 1, "right": 3, "bottom": 2, "fill": 9 if src is u8 else 0.25},
            src, F.pad(src, [2, 1, 3, 2], fill=9 if src is u8 else 0.25, padding_mode=mode))

for bits in (1, 3, 6):
    add(f"posterize_u8_{bits}", "posterize", {"bits": bits}, u8, F.posterize(u8, bits))
add("equalize_u8", "equalize", {}, u8, F.equalize(u8))
flat = u8.clone()
flat[1] = 100  # one flat channel: equalize and autocontrast leave it unchanged
add("equalize_flat_u8", "equalize", {}, flat, F.equalize(flat))
cases[-1]["input"] = "flat"
add("autocontrast_flat_u8", "autocontrast", {}, flat, F.autocontrast(flat))
cases[-1]["input"] = "flat"

NEAREST, BILINEAR = InterpolationMode.NEAREST, InterpolationMode.BILINEAR
add("rotate_u8_30_nearest", "rotate", {"angle": 30, "interp": "nearest", "expand": False, "fill": None}, u8,
    F.rotate(u8, 30, interpolation=NEAREST))
add("rotate_f32_90_nearest", "rotate", {"angle": 90, "interp": "nearest", "expand": False, "fill": [0.0]}, f32,
    F.rotate(f32, 90, interpolation=NEAREST, fill=[0.0]))
add("rotate_f32_-25_bilinear_fill", "rotate", {"angle": -25, "interp": "bilinear", "expand": False, "fill": [0.2, 0.5, 0.8]}, f32,
    F.rotate(f32, -25, interpolation=BILINEAR, fill=[0.2, 0.5, 0.8]))
add("rotate_u8_30_expand", "rotate", {"angle": 30, "interp": "bilinear", "expand": True, "fill": [0.0]}, u8,
    F.rotate(u8, 30, interpolation=BILINEAR, expand=True, fill=[0.0]))
shear = math.degrees(math.atan(0.3))
add("shearx_u8", "affine", {"angle": 0, "tx": 0, "ty": 0, "scale": 1, "shx": shear, "shy": 0, "interp": "nearest", "fill": None, "center": [0, 0]}, u8,
    F.affine(u8, angle=0.0, translate=[0, 0], scale=1.0, shear=[shear, 0.0], interpolation=NEAREST, center=[0, 0]))
add("sheary_u8", "affine", {"angle": 0, "tx": 0, "ty": 0, "scale": 1, "shx": 0, "shy": -shear, "interp": "nearest", "fill": [50, 60, 70], "center": [0, 0]}, u8,
    F.affine(u8, angle=0.0, translate=[0, 0], scale=1.0, shear=[0.0, -shear], interpolation=NEAREST, fill=[50.0, 60.0, 70.0], center=[0, 0]))
add("translate_u8", "affine", {"angle": 0, "tx": 3, "ty": -2, "scale": 1, "shx": 0, "shy": 0, "interp": "nearest", "fill": None, "center": None}, u8,
    F.affine(u8, angle=0.0, translate=[3, -2], scale=1.0, shear=[0.0, 0.0], interpolation=NEAREST))
add("affine_f32_bilinear", "affine", {"angle": 20, "tx": 1, "ty": 2, "scale": 1.1, "shx": 5, "shy": 10, "interp": "bilinear", "fill": [0.2, 0.4, 0.6], "center": None}, f32,
    F.affine(f32, angle=20.0, translate=[1, 2], scale=1.1, shear=[5.0, 10.0], interpolation=BILINEAR, fill=[0.2, 0.4, 0.6]))

add("resize_f32_bilinear_aa", "resize", {"h": 5, "w": 6, "interp": "bilinear", "antialias": True}, f32,
    F.resize(f32, [5, 6], interpolation=BILINEAR, antialias=True))
add("resize_f32_bilinear_up", "resize", {"h": 11, "w": 13, "interp": "bilinear", "antialias": False}, f32,
    F.resize(f32, [11, 13], interpolation=BILINEAR, antialias=False))
add("resize_u8_nearest", "resize", {"h": 12, "w": 5, "interp": "nearest", "antialias": False}, u8,
    F.resize(u8, [12, 5], interpolation=NEAREST))
add("center_crop_f32", "center_crop", {"h": 5, "w": 4}, f32, F.center_crop(f32, [5, 4]))
add("center_crop_f32_larger", "center_crop", {"h": 9, "w": 11}, f32, F.center_crop(f32, [9, 11]))
add("normalize_f32", "normalize", {"mean": [0.49, 0.48, 0.45], "std": [0.25, 0.24, 0.26]}, f32,
    F.normalize(f32, [0.49, 0.48, 0.45], [0.25, 0.24, 0.26]))

out = {"generator": f"torch {torch.__version__}, torchvision {__import__('torchvision').__version__}",
       "inputs": {"u8": u8.flatten().tolist(), "flat": flat.flatten().tolist(), "shape": list(u8.shape)},
       "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transforms", "functional.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"{len(cases)} cases -> {path}")
