/** flows.py of an exported project: Latent Lab's normalizing-flow layers, forward with log-determinants and inverse. */

export const FLOWS_PY = String.raw`"""Normalizing-flow layers that compute what Latent Lab's do, log-determinants included.

Every layer's forward returns (y, log_det) with log_det = log |det dy/dx| of each example
(a [B] tensor); inverse(y) gives x back, which sampling uses. Images are NCHW here; where the
order of values matters (masks, squeezes, noise) it is Latent Lab's NHWC order.
"""
import math

import torch
import torch.distributed as dist
from torch import nn
import torch.nn.functional as F

from layers import activate, draw_like, nchw, nhwc

# Dequantization keeps u this fraction of a bin from the bin's edges (float32 rounding then never reaches the next level).
BIN_MARGIN = 2.0**-14


def channel_view(x):
    """The shape that broadcasts a per-channel vector over x: [1, C] or [1, C, 1, 1]."""
    return [1, -1] + [1] * (x.dim() - 2)


def positions(x):
    """Values per example per channel: H*W for images, 1 for vectors."""
    return x[0, 0].numel()


class ActNorm(nn.Module):
    """y = (x + bias) * exp(log_scale) per channel, set from the first training batch to mean 0, std 1."""

    def __init__(self, channels):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels))
        self.log_scale = nn.Parameter(torch.zeros(channels))
        # A buffer, so a checkpoint's trained layer is not initialised again.
        self.register_buffer("initialized", torch.zeros(()))
        self._ready = None

    def forward(self, x):
        if self.training and not self._ready:
            # Read once: afterwards it stays 1 (reading a GPU value every step would wait for the device).
            self._ready = bool(self.initialized.item() == 1)
            if not self._ready:
                self._initialize(x)
        shape = channel_view(x)
        y = (x + self.bias.view(shape)) * torch.exp(self.log_scale).view(shape)
        return y, (self.log_scale.sum() * positions(x)).expand(x.shape[0])

    @torch.no_grad()
    def _initialize(self, x):
        axes = [d for d in range(x.dim()) if d != 1]
        mean = x.mean(axes)
        var = x.var(axes, unbiased=False)
        if dist.is_available() and dist.is_initialized():
            # Every process must start from the same weights: pool the statistics of all their batches.
            moments = torch.stack([mean, var + mean.square()])
            dist.all_reduce(moments)
            moments /= dist.get_world_size()
            mean, var = moments[0], moments[1] - moments[0].square()
        self.bias.copy_(-mean)
        self.log_scale.copy_(-torch.log(var.sqrt() + 1e-6))
        self.initialized.fill_(1)
        self._ready = True

    def inverse(self, y):
        shape = channel_view(y)
        return y * torch.exp(-self.log_scale).view(shape) - self.bias.view(shape)


class InvConv1x1(nn.Module):
    """Glow's invertible 1x1 convolution, W = P L (U + diag(exp(log_s))) with P the reversal of the channels."""

    def __init__(self, channels):
        super().__init__()
        self.lower = nn.Parameter(torch.randn(channels, channels) * 0.05)
        self.upper = nn.Parameter(torch.randn(channels, channels) * 0.05)
        self.log_s = nn.Parameter(torch.zeros(channels))
        ones = torch.ones(channels, channels)
        self.register_buffer("strictly_lower", torch.tril(ones, -1), persistent=False)
        self.register_buffer("strictly_upper", torch.triu(ones, 1), persistent=False)
        self.register_buffer("eye", torch.eye(channels), persistent=False)

    def weight(self):
        l = self.lower * self.strictly_lower + self.eye
        u = self.upper * self.strictly_upper + self.eye * torch.exp(self.log_s)
        # P times a matrix reverses its rows.
        return torch.flip(l @ u, [0])

    @staticmethod
    def _mix(x, w):
        return x @ w.t() if x.dim() == 2 else F.conv2d(x, w[:, :, None, None])

    def forward(self, x):
        return self._mix(x, self.weight()), (self.log_s.sum() * positions(x)).expand(x.shape[0])

    def inverse(self, y):
        return self._mix(y, torch.linalg.inv(self.weight().double()).float())


def coupling_mask(example, mask, flip):
    """1 where a value is kept, 0 where it is transformed, for one example in Latent Lab's order (D, or H x W x C)."""
    channels = example[-1]
    width = example[1] if len(example) == 3 else 1
    values = []
    for i in range(math.prod(example)):
        c = i % channels
        if mask == "channel":
            kept = c < channels / 2
        elif len(example) == 1:
            kept = c % 2 == 0
        else:
            pixel = i // channels
            kept = (pixel // width + pixel % width) % 2 == 0
        values.append(1.0 if kept != flip else 0.0)
    return torch.tensor(values).reshape(example)


class AffineCoupling(nn.Module):
    """RealNVP's affine coupling: y = x * exp(s) + t on the transformed half, (s, t) from a net that reads the kept half."""

    def __init__(self, example, mask, flip, hidden, activation):
        super().__init__()
        image = len(example) == 3
        channels = example[-1]
        layer = (lambda i, o: nn.Conv2d(i, o, 3, padding=1)) if image else nn.Linear
        self.activation = activation
        widths = [channels] + list(hidden)
        self.hidden = nn.ModuleList(layer(i, o) for i, o in zip(widths, widths[1:]))
        self.out = layer(widths[-1], 2 * channels)
        # Zero weights make s = t = 0: the coupling starts as the identity (Glow).
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        self.scale = nn.Parameter(torch.ones(channels))
        keep = coupling_mask(example, mask, flip)
        self.register_buffer("keep", keep.permute(2, 0, 1) if image else keep, persistent=False)

    def _scale_and_shift(self, x):
        h = x * self.keep
        for layer in self.hidden:
            h = activate(layer(h), self.activation)
        raw, shift = self.out(h).chunk(2, dim=1)
        change = 1 - self.keep
        return torch.tanh(raw) * self.scale.view(channel_view(x)) * change, shift * change

    def forward(self, x):
        s, t = self._scale_and_shift(x)
        return x * torch.exp(s) + t, s.reshape(s.shape[0], -1).sum(1)

    def inverse(self, y):
        # The kept values of y are those of x, so the net gives the same s and t.
        s, t = self._scale_and_shift(y)
        return (y - t) * torch.exp(-s)


def dequantize(x, levels, draw):
    """Each grey level k = (levels - 1) x spread over its bin: y = (k + u) / levels, u ~ U(0, 1) (Latent Lab's Dequantize)."""
    level = torch.round(x * (levels - 1))
    u = draw_like(draw, "uniform", x, BIN_MARGIN, 1 - BIN_MARGIN)
    log_bin_volume = x[0].numel() * (math.log(1 - 2 * BIN_MARGIN) - math.log(levels))
    return (level + u) / levels, torch.full((x.shape[0],), log_bin_volume, device=x.device)


def dequantize_inverse(y, levels):
    return torch.floor(y * levels).clamp(0, levels - 1) / (levels - 1)


def logit_transform(x, alpha):
    """s = alpha + (1 - 2 alpha) x, y = log s - log(1 - s)."""
    s = x * (1 - 2 * alpha) + alpha
    log_s = torch.log(s)
    log_one_minus_s = torch.log1p(-s)
    log_det = -(log_s + log_one_minus_s).reshape(x.shape[0], -1).sum(1) + x[0].numel() * math.log(1 - 2 * alpha)
    return log_s - log_one_minus_s, log_det


def logit_transform_inverse(y, alpha):
    return (torch.sigmoid(y) - alpha) / (1 - 2 * alpha)


def _squeeze_nhwc(x):
    b, h, w, c = x.shape
    return x.reshape(b, h // 2, 2, w // 2, 2, c).permute(0, 1, 3, 2, 4, 5).reshape(b, h // 2, w // 2, 4 * c)


def _unsqueeze_nhwc(x):
    b, h, w, c4 = x.shape
    return x.reshape(b, h, w, 2, 2, c4 // 4).permute(0, 1, 3, 2, 4, 5).reshape(b, 2 * h, 2 * w, c4 // 4)


def squeeze2x2(x):
    """Each 2x2 block of pixels as one pixel with 4C channels, in Latent Lab's channel order; log |det| = 0."""
    return nchw(_squeeze_nhwc(nhwc(x))), torch.zeros(x.shape[0], device=x.device)


def unsqueeze2x2(x):
    return nchw(_unsqueeze_nhwc(nhwc(x))), torch.zeros(x.shape[0], device=x.device)


def flow_prior_log_prob(z):
    """log N(z; 0, I) of each example, [B, 1]."""
    flat = z.reshape(z.shape[0], -1)
    return -0.5 * flat.square().sum(1, keepdim=True) - flat.shape[1] / 2 * math.log(2 * math.pi)


def flow_nll(log_prob, *log_dets):
    """-log p(x) = -(log p(z) + the sum of every layer's log-determinant), averaged over the batch."""
    log_likelihood = log_prob.reshape(-1)
    for log_det in log_dets:
        log_likelihood = log_likelihood + log_det
    return -log_likelihood.mean()
`;
