"""The PixelCNN of configs/fashion-mnist-pixelcnn.yaml trained by PyTorch 1.13, for the bits/dim comparison: the same network
(bench/generative/models.py, the mask applied in forward), the same data (Fashion-MNIST's 60,000 training images, shuffled,
batch 64), Adam at lr 1e-3, the same epochs; after each epoch the test split's negative log-likelihood in bits per dimension.

  /usr/bin/python3 bench/generative/pixelcnn_reference.py --epochs 2 --layers 5 --channels 32 --threads 2
  kindling train --config configs/fashion-mnist-pixelcnn.yaml --out runs/pixelcnn     (val_bits_per_dim: the same number)

Prints one JSON line per epoch; the last is the one to compare (the goal: Kindling's within 1%).
"""
import argparse, gzip, json, math, os, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import PixelCNN

p = argparse.ArgumentParser()
p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--layers", type=int, default=5)
p.add_argument("--channels", type=int, default=32)
p.add_argument("--kernel", type=int, default=7)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--threads", type=int, default=0)
p.add_argument("--train-subset", type=int, default=0, help="first N training images only (smoke runs)")
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()


def idx(name):
    path = os.path.join(a.data, name)
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


if a.threads > 0:
    torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
train = torch.from_numpy(idx("train-images-idx3-ubyte").copy()).long().unsqueeze(1)
test = torch.from_numpy(idx("t10k-images-idx3-ubyte").copy()).long().unsqueeze(1)
if a.train_subset > 0:
    train = train[: a.train_subset]
model = PixelCNN(a.layers, a.channels, a.kernel, 256, 1)
opt = torch.optim.Adam(model.parameters(), lr=a.lr)


def nll(levels, reduction):
    return F.cross_entropy(model(levels.float() / 255), levels, reduction=reduction)


start = time.time()
for epoch in range(1, a.epochs + 1):
    model.train()
    order = torch.randperm(len(train))
    total, count = 0.0, 0
    for i in range(0, len(train), a.batch):
        x = train[order[i: i + a.batch]]
        loss = nll(x, "mean")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.item() * len(x)
        count += len(x)
    model.eval()
    nats, dims = 0.0, 0
    with torch.inference_mode():
        for i in range(0, len(test), 256):
            x = test[i: i + 256]
            nats += nll(x, "sum").item()
            dims += x.numel()
    print(json.dumps({"epoch": epoch, "train_bits_per_dim": total / count / math.log(2), "test_bits_per_dim": nats / dims / math.log(2),
                      "seconds": time.time() - start, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
