"""Shared by the corpus programs: NumPy-seeded weights loaded into any model, so that torch and
chainrule start from the same numbers (each library's own random generator differs)."""

import numpy as np


def seed_weights(model, torch, seed=0):
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.copy_(torch.tensor(rng.normal(scale=0.5, size=tuple(p.shape))))
