"""QKV Lab's optimisation rules (core/train/lr_schedule.cpp, core/train/flat_adamw.cpp).

Warm-up from 0 then a cosine down to min_lr_fraction·lr; AdamW (eps 1e-8 outside the root,
decoupled decay lr·wd) with decay on matrices only (every parameter with train.decay_all);
gradients clipped to a global norm with clip_grad_norm_'s rule, max / (norm + 1e-6).
"""

import math

import torch


def lr_at(train, step):
    """core's learningRateAt for the 0-based step about to be taken."""
    if train.warmup_steps > 0 and step < train.warmup_steps:
        return train.lr * (step + 1) / train.warmup_steps
    decay_steps = max(1, train.steps - 1 - train.warmup_steps)
    progress = min(max((step - train.warmup_steps) / decay_steps, 0.0), 1.0)
    floor = train.lr * train.min_lr_fraction
    return floor + 0.5 * (train.lr - floor) * (1.0 + math.cos(math.pi * progress))


def make_optimizer(model, train):
    """torch.optim.AdamW with core's two groups: decayed (matrices, or all) and the rest."""
    decayed, rest = [], []
    for p in model.parameters():
        (decayed if train.decay_all or p.dim() >= 2 else rest).append(p)
    groups = [{"params": decayed, "weight_decay": train.weight_decay}]
    if rest:
        groups.append({"params": rest, "weight_decay": 0.0})
    return torch.optim.AdamW(groups, lr=train.lr, betas=(train.beta1, train.beta2), eps=1e-8)


def set_lr(optimizer, lr):
    for group in optimizer.param_groups:
        group["lr"] = lr
