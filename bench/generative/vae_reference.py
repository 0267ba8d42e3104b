#!/usr/bin/python3
"""Seed 004's VAE (1.1) trained by PyTorch on Fashion-MNIST: the reference for Kindling's configs/fashion-mnist-vae.yaml.

Same model (784-400-20 MLP, ReLU, sigmoid decoder), same loss (binary cross-entropy + KL, summed), same optimizer
(Adam, lr 1e-3, PyTorch's defaults otherwise), same batch size (128), same epochs; the data order is PyTorch's own.
Pixels in [0, 1] (ToTensor, no normalization). The test ELBO is measured after every epoch as PyTorch's VAE example does:
one reparameterized sample per test image, nats per image.

  /usr/bin/python3 bench/generative/vae_reference.py --epochs 10 [--threads 2] [--json out.json]

Kindling's side of the comparison:
  ./kindling train --config configs/fashion-mnist-vae.yaml --out runs/vae-kindling     (val_elbo = the test ELBO each epoch)
"""
import argparse, gzip, json, os, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"


def idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    n, rows, cols = int.from_bytes(data[4:8], "big"), int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8, offset=16).copy()).view(n, 1, rows, cols).float() / 255


class VAE(nn.Module):
    """Seed 004, 1.1, unchanged."""

    def __init__(self, input_dim=784, hidden_dim=400, latent_dim=20):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.fc_mu = nn.Linear(hidden_dim, latent_dim)
        self.fc_logvar = nn.Linear(hidden_dim, latent_dim)
        self.fc3 = nn.Linear(latent_dim, hidden_dim)
        self.fc4 = nn.Linear(hidden_dim, input_dim)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc_mu(h), self.fc_logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def terms(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce, kld


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--train-subset", type=int, help="the first N training images (a quick check)")
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--json", help="write the per-epoch results here")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train = idx_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    test = idx_images(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    if args.train_subset:
        train = train[:args.train_subset]
    train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train), batch_size=args.batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(test), batch_size=512)
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    results = []
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        train_loss = 0.0
        for (data,) in train_loader:
            optimizer.zero_grad()
            recon, mu, logvar = model(data)
            bce, kld = terms(recon, data, mu, logvar)
            loss = bce + kld
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
        model.eval()
        rec = kl = 0.0
        with torch.no_grad():
            for (data,) in test_loader:
                recon, mu, logvar = model(data)
                bce, kld = terms(recon, data, mu, logvar)
                rec += bce.item()
                kl += kld.item()
        n = len(test)
        row = {"epoch": epoch, "train_loss": train_loss / len(train), "test_elbo": -(rec + kl) / n,
               "test_reconstruction": rec / n, "test_kl": kl / n, "seconds": time.time() - start}
        results.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "threads": args.threads, "epochs": results}, f, indent=1)


if __name__ == "__main__":
    main()
