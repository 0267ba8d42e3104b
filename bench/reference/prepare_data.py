#!/usr/bin/python3
"""Decodes 10,000 CIFAR-10 images (the first 1,000 of each class, classes in alphabetical order as an
image folder sorts them) from the shared JPEG split into the uint8 array file both sides of the
end-to-end benchmark read, so the comparison is the loader and the training loop, not JPEG decoding:

    PREFIX.u8      N x 32 x 32 x 3 uint8, HWC (numpy's CIFAR order)
    PREFIX.labels  N uint8 class indices

    /usr/bin/python3 bench/reference/prepare_data.py [--tar ../shared/data/cifar10-jpg-train.tar.gz] [--out PREFIX]
"""
import argparse
import io
import os
import tarfile

import numpy as np
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_TAR = os.path.join(ROOT, "..", "shared", "data", "cifar10-jpg-train.tar.gz")  # the shared split beside the checkout
DEFAULT_OUT = os.path.join(ROOT, "runs", "bench-data", "cifar10-10k")


def prepare(tar_path=DEFAULT_TAR, out=DEFAULT_OUT, per_class=1000):
    if not os.path.exists(tar_path):
        raise SystemExit(f"{tar_path} does not exist: the shared CIFAR-10 JPEG split (train/<class>/NNNN.jpg) is needed.")
    files = {}
    with tarfile.open(tar_path) as tar:
        for m in tar:
            parts = m.name.split("/")
            if m.isfile() and m.name.endswith(".jpg") and len(parts) >= 2:
                files[(parts[-2], parts[-1])] = tar.extractfile(m).read()
    classes = sorted({c for c, _ in files})
    images, labels = [], []
    for label, c in enumerate(classes):
        names = sorted(n for cc, n in files if cc == c)[:per_class]
        for n in names:
            img = Image.open(io.BytesIO(files[(c, n)])).convert("RGB")
            if img.size != (32, 32):
                raise SystemExit(f"{c}/{n} is {img.size}, expected 32x32")
            images.append(np.asarray(img, dtype=np.uint8))
            labels.append(label)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    # Temporary files renamed into place: a half-written cache is never read.
    np.stack(images).tofile(out + ".u8.tmp")
    np.asarray(labels, dtype=np.uint8).tofile(out + ".labels.tmp")
    os.replace(out + ".u8.tmp", out + ".u8")
    os.replace(out + ".labels.tmp", out + ".labels")
    return len(labels), classes


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tar", default=DEFAULT_TAR)
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--per-class", type=int, default=1000)
    a = p.parse_args()
    n, classes = prepare(a.tar, a.out, a.per_class)
    print(f"{n} images of {len(classes)} classes ({', '.join(classes)}) -> {a.out}.u8, {a.out}.labels")
