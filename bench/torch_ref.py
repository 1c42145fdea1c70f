"""PyTorch reference for bench/kernels.ts: the same three models, 2 threads.

Prints one JSON line: {"vae_ms", "disc_ms", "pixelcnn_ms", "matmul_gflops", "threads"}.
Usage: /usr/bin/python3 bench/torch_ref.py [pixelcnn_batch]
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)


def median_ms(f, warm, reps):
    for _ in range(warm):
        f()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return ts[len(ts) // 2]


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 512)
        self.mu = nn.Linear(512, 20)
        self.lv = nn.Linear(512, 20)
        self.l3 = nn.Linear(20, 512)
        self.l4 = nn.Linear(512, 784)

    def forward(self, x):
        h = F.relu(self.l1(x))
        mu, lv = self.mu(h), self.lv(h)
        z = mu + torch.exp(0.5 * lv) * torch.randn_like(mu)
        logits = self.l4(F.relu(self.l3(z)))
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + lv - mu * mu - torch.exp(lv))
        return (rec + kl) / x.shape[0]


class Disc(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 64, 4, 2, 1)
        self.c2 = nn.Conv2d(64, 128, 4, 2, 1)
        self.fc = nn.Linear(7 * 7 * 128, 1)

    def forward(self, x, y):
        h = F.leaky_relu(self.c1(x), 0.2)
        h = F.leaky_relu(self.c2(h), 0.2)
        return F.binary_cross_entropy_with_logits(self.fc(h.flatten(1)), y)


def mask(k, cin, cout, typ):
    m = torch.zeros(cout, cin, k, k)
    c = k // 2
    m[:, :, :c, :] = 1
    m[:, :, c, :c] = 1
    if typ == "B":
        m[:, :, c, c] = 1
    return m


class PixelCNN(nn.Module):
    def __init__(self, ch=64, blocks=5):
        super().__init__()
        self.c0 = nn.Conv2d(1, ch, 7, 1, 3)
        self.cs = nn.ModuleList([nn.Conv2d(ch, ch, 3, 1, 1) for _ in range(blocks)])
        self.head = nn.Conv2d(ch, 1, 1)
        self.register_buffer("mA", mask(7, 1, ch, "A"))
        self.register_buffer("mB", mask(3, ch, ch, "B"))

    def forward(self, x):
        h = F.relu(F.conv2d(x, self.c0.weight * self.mA, self.c0.bias, padding=3))
        for c in self.cs:
            h = h + F.relu(F.conv2d(h, c.weight * self.mB, c.bias, padding=1))
        return F.binary_cross_entropy_with_logits(self.head(h), x)


def step_fn(model, *batch):
    opt = torch.optim.Adam(model.parameters(), 1e-3)

    def step():
        opt.zero_grad()
        loss = model(*batch)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main():
    pix_batch = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    x = (torch.rand(128, 784) > 0.7).float()
    vae = median_ms(step_fn(VAE(), x), 5, 21)
    xd = torch.rand(64, 1, 28, 28) * 2 - 1
    yd = (torch.rand(64, 1) > 0.5).float()
    disc = median_ms(step_fn(Disc(), xd, yd), 3, 11)
    xp = (torch.rand(pix_batch, 1, 28, 28) > 0.7).float()
    pix = median_ms(step_fn(PixelCNN(), xp), 2, 7)
    a = torch.randn(1024, 1024)
    mm = median_ms(lambda: a @ a, 3, 11)
    print(json.dumps({"vae_ms": vae, "disc_ms": disc, "pixelcnn_ms": pix,
                      "matmul_gflops": 2 * 1024 ** 3 / mm / 1e6, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
