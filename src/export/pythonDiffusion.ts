/** diffusion.py of an exported project: Latent Lab's noise schedules, forward noising, timestep codes and samplers. */

export const DIFFUSION_PY = String.raw`"""Diffusion models as Latent Lab computes them: schedules, forward noising, timestep codes, DDPM and DDIM.

Timesteps are indices i = 0 ... T-1 (the papers' t = i + 1). Per-step numbers are float64, as in
Latent Lab; tensors are float32.
"""
import functools
import math

import torch

from layers import draw_like, nhwc


def linear_betas(steps, start, end):
    """Ho et al. 2020: beta rises linearly from start (t = 1) to end (t = T)."""
    return [start + (end - start) * i / (steps - 1) for i in range(steps)]


def cosine_betas(steps, s, max_beta=0.999):
    """Nichol & Dhariwal 2021: alpha_bar_t = f(t) / f(0), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2), beta capped at max_beta."""
    f = lambda t: math.cos(((t / steps + s) / (1 + s)) * (math.pi / 2)) ** 2
    return [min(max_beta, 1 - f(i + 1) / f(i)) for i in range(steps)]


def alpha_bars(betas):
    """alpha_bar_t = prod over s <= t of (1 - beta_s), in float64."""
    out, product = [], 1.0
    for b in betas:
        product *= 1 - b
        out.append(product)
    return out


def schedule_betas(kind, steps, beta_start, beta_end, offset):
    return cosine_betas(steps, offset) if kind == "cosine" else linear_betas(steps, beta_start, beta_end)


@functools.lru_cache(maxsize=None)
def _alpha_bar_tensor(kind, steps, beta_start, beta_end, offset, device):
    return torch.tensor(alpha_bars(schedule_betas(kind, steps, beta_start, beta_end, offset)), dtype=torch.float32, device=device)


def noise_schedule(kind, steps, beta_start, beta_end, offset, device):
    """The Noise schedule node's output: alpha_bar_t for t = 1 ... T as a float32 vector."""
    return _alpha_bar_tensor(kind, steps, beta_start, beta_end, offset, str(device))


def forward_noising(x0, alpha_bar, draw):
    """q(x_t | x_0) in one jump: a step t (index 0 ... T-1) and noise eps per example; returns (x_t, t, eps)."""
    n, steps = x0.shape[0], alpha_bar.shape[0]
    # floor of U[0, T) is uniform on 0 ... T-1; the clamp guards float rounding up to T.
    t = torch.floor(draw("uniform", (n,), 0, steps)).clamp(0, steps - 1)
    a = alpha_bar[t.long()].reshape([n] + [1] * (x0.dim() - 1))
    eps = draw_like(draw, "normal", x0)
    return a.sqrt() * x0 + (1 - a).sqrt() * eps, t, eps


def time_embedding(t, dim, max_period, scale):
    """The sinusoidal code of each value: [sin(u f_0) ... sin(u f_{h-1}), cos(u f_0) ... cos(u f_{h-1})], u = scale t."""
    half = dim // 2
    features = t[0].numel()
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float64) / half).float().to(t.device) * scale
    angles = t.reshape(-1, features, 1) * freqs.reshape(1, 1, half)
    return torch.cat([torch.sin(angles), torch.cos(angles)], 2).reshape(-1, features * dim)


def label_dropout(label, rate, draw):
    """Training: each example's one-hot label replaced by zeros ('no class') with probability rate."""
    keep = (draw("uniform", (label.shape[0], 1), 0, 1) >= rate).float()
    return label * keep


def chain_steps(steps, method, k):
    """The step indices a chain visits, noisiest first: all T for ddpm, k evenly spaced ones (T-1 and 0 always) for ddim."""
    k = steps if method == "ddpm" else k
    if not 1 <= k <= steps:
        raise SystemExit(f"the step count must be from 1 to T = {steps}, got {k}")
    if k == 1:
        return [steps - 1]
    return [round((k - 1 - j) * (steps - 1) / (k - 1)) for j in range(k)]


@torch.no_grad()
def run_chain(denoise, shape, betas, method, k, eta, guidance, clip, draw):
    """From x_T ~ N(0, I) to data (Latent Lab's Diffusion sampler).

    denoise(x, t, unconditional) gives eps_hat; with guidance w > 0 it also runs unconditionally and
    eps = (1 + w) eps(x, c) - w eps(x, none). Images (clip = (0, 1)) keep the predicted x_0 in range at
    every step. shape is the batch shape in this project's layout; noise is drawn in Latent Lab's order.
    """
    abar = alpha_bars(betas)
    at = lambda i: 1.0 if i < 0 else abar[i]
    template = torch.empty(shape)
    x = draw_like(draw, "normal", template)
    visits = chain_steps(len(betas), method, k)
    for j, i in enumerate(visits):
        prev = visits[j + 1] if j + 1 < len(visits) else -1
        a, ap = at(i), at(prev)
        t = torch.full((shape[0],), float(i), device=x.device)
        eps = denoise(x, t, False).reshape(x.shape)
        if guidance > 0:
            eps = eps * (1 + guidance) - denoise(x, t, True).reshape(x.shape) * guidance
        if clip:
            # The eps that agrees with x_0 clipped to the data's range (DDPM's clip_denoised).
            x0 = ((x - eps * math.sqrt(1 - a)) / math.sqrt(a)).clamp(*clip)
            eps = (x - x0 * math.sqrt(a)) / math.sqrt(1 - a)
        if method == "ddpm":
            beta = betas[i]
            mean = (x - eps * (beta / math.sqrt(1 - a))) / math.sqrt(1 - beta)
            sigma = math.sqrt(beta * (1 - at(i - 1)) / (1 - a))
            if i > 0:
                # Drawn at every step but the last, as Latent Lab does, so a replayed stream stays in step.
                z = draw_like(draw, "normal", x)
                mean = mean + z * sigma if sigma > 0 else mean
            x = mean
        else:
            sigma = eta * math.sqrt((1 - ap) / (1 - a) * (1 - a / ap))
            x0 = (x - eps * math.sqrt(1 - a)) / math.sqrt(a)
            nxt = x0 * math.sqrt(ap) + eps * math.sqrt(max(0.0, 1 - ap - sigma * sigma))
            x = nxt + draw_like(draw, "normal", x) * sigma if sigma > 0 else nxt
    return x
`;
