/** The fixed Python of an exported project: layers and losses that match Latent Lab's exactly. */

export const LAYERS_PY = String.raw`"""Layers whose Latent Lab behaviour PyTorch's built-ins do not match exactly.

Layout: Latent Lab (TF.js) keeps images as NHWC (batch, height, width, channels),
PyTorch as NCHW. In this project every image tensor is NCHW; where the order of
values matters (flatten, reshape, comparing with the data) the code permutes to
NHWC first, so a flattened image lists its values in Latent Lab's order and dense
weights load without any reordering. latent_lab.py converts the kernels.
"""
import torch
from torch import nn
import torch.nn.functional as F


def nhwc(x):
    """An NCHW image batch in Latent Lab's NHWC order (anything else as it is)."""
    return x.permute(0, 2, 3, 1) if x.dim() == 4 else x


def nchw(x):
    """An NHWC image batch in this project's NCHW order (anything else as it is)."""
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def draw_like(draw, kind, x, low=-1.0, high=1.0):
    """Random values shaped like x, drawn in Latent Lab's value order (NHWC), so a replayed stream lands where it did there."""
    return nchw(draw(kind, nhwc(x).shape, low, high))


def activate(x, name, leak=0.2):
    """Latent Lab's activation by name; its leaky ReLU, (1 - leak) relu(x) + leak x, is F.leaky_relu."""
    if name == "relu":
        return F.relu(x)
    if name == "leakyRelu":
        return F.leaky_relu(x, leak)
    if name == "elu":
        return F.elu(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh(x)
    return x


class BatchNorm(nn.Module):
    """Latent Lab's batch normalization.

    Unlike nn.BatchNorm2d, the running variance follows the biased batch variance
    (the one it normalizes with), momentum is the share of the old average kept
    (0.99, where PyTorch would say 0.01), and one class serves B x features and
    NCHW images (statistics per channel, over every other axis).
    """

    def __init__(self, features, momentum, eps):
        super().__init__()
        self.momentum = momentum
        self.eps = eps
        self.gamma = nn.Parameter(torch.ones(features))
        self.beta = nn.Parameter(torch.zeros(features))
        self.register_buffer("running_mean", torch.zeros(features))
        self.register_buffer("running_var", torch.ones(features))

    def forward(self, x):
        axes = [d for d in range(x.dim()) if d != 1]
        shape = [1, -1] + [1] * (x.dim() - 2)
        if self.training:
            mean = x.mean(axes)
            var = x.var(axes, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(self.momentum).add_(mean * (1 - self.momentum))
                self.running_var.mul_(self.momentum).add_(var * (1 - self.momentum))
        else:
            mean, var = self.running_mean, self.running_var
        normalized = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + self.eps)
        return normalized * self.gamma.view(shape) + self.beta.view(shape)


class MaskedConv2d(nn.Conv2d):
    """PixelCNN's masked convolution: each output sees only the pixels above and to the left.

    Mask A (the first layer) also hides the centre pixel; mask B shows it. Multiplying
    by the mask in every forward pass keeps masked weights, and their gradients, at zero.
    """

    def __init__(self, in_channels, out_channels, kernel_size, mask_type, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=bias)
        centre = kernel_size // 2
        mask = torch.zeros_like(self.weight)
        mask[:, :, :centre, :] = 1
        mask[:, :, centre, :centre] = 1
        if mask_type == "B":
            mask[:, :, centre, centre] = 1
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x):
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)
`;

export const LOSS_IMPORTS_PY = String.raw`import torch
import torch.nn.functional as F

from layers import nhwc`;

export const LOSS_FUNCTIONS_PY = String.raw`

def reduce_loss(per_value, reduction):
    """Sum (a log-likelihood in nats) or mean over each example's values, then the mean over the batch."""
    flat = per_value.reshape(per_value.shape[0], -1)
    return (flat.mean(1) if reduction == "mean" else flat.sum(1)).mean()


def bce(prediction, target, from_logits, reduction):
    """Bernoulli negative log-likelihood of the target under the prediction, in Latent Lab's value order."""
    target = nhwc(target)
    y = nhwc(prediction).reshape(target.shape)
    if from_logits:
        # The stable form max(y, 0) - y*x + log(1 + exp(-|y|)).
        per_value = F.relu(y) - y * target + torch.log1p(torch.exp(-y.abs()))
    else:
        per_value = -(target * torch.log(y.clamp(1e-7, 1)) + (1 - target) * torch.log((1 - y).clamp(1e-7, 1)))
    return reduce_loss(per_value, reduction)


def gaussian_kl(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)), summed over latent dimensions, averaged over the batch."""
    per_dim = -0.5 * (1 + log_var - mean.square() - torch.exp(log_var))
    return per_dim.reshape(per_dim.shape[0], -1).sum(1).mean()


def categorical256(prediction, target, reduction):
    """Cross-entropy of each value's 256 logits against its grey level round(255 x), in Latent Lab's value order."""
    target = nhwc(target).reshape(target.shape[0], -1)
    logits = nhwc(prediction).reshape(target.shape[0], target.shape[1], 256)
    levels = torch.round(target * 255).clamp(0, 255).long()
    per_value = -torch.log_softmax(logits, -1).gather(-1, levels.unsqueeze(-1)).squeeze(-1)
    return reduce_loss(per_value, reduction)


def mse(prediction, target, reduction):
    """Squared error of each value, summed or averaged per example, then averaged over the batch."""
    target = nhwc(target)
    return reduce_loss((nhwc(prediction).reshape(target.shape) - target).square(), reduction)


def eps_mse(prediction, target):
    """The squared error between eps and the denoiser's eps_hat, averaged over values and examples."""
    target = nhwc(target)
    return (nhwc(prediction).reshape(target.shape) - target).square().mean()


def discriminator_loss(kind, real, fake):
    """The discriminator's (critic's) loss from its logits on real and on generated data."""
    if kind == "wasserstein":
        return fake.mean() - real.mean()
    if kind == "leastSquares":
        return 0.5 * ((real - 1).square().mean() + fake.square().mean())
    if kind == "hinge":
        return F.relu(1 - real).mean() + F.relu(1 + fake).mean()
    # minimax and non-saturating: -log D(x) - log(1 - D(G(z))) with D = sigmoid(logit).
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def generator_loss(kind, fake):
    """The generator's loss from the discriminator's logits on generated data."""
    if kind == "minimax":
        return -F.softplus(fake).mean()
    if kind == "nonSaturating":
        return F.softplus(-fake).mean()
    if kind == "leastSquares":
        return 0.5 * (fake - 1).square().mean()
    return -fake.mean()
`;
