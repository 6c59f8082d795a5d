"""The yardstick: the same networks trained by hand-written NumPy, as fast as plain NumPy allows.

No autograd, no modules: the forward and backward of an MLP written out once, with the backward in
the fewest matrix products (dL/dX is skipped for the input layer) and in-place SGD. chainrule, with
its engine, modules and optimisers, is measured against this.
"""

from __future__ import annotations

import numpy as np


class NumpyMLP:
    """ReLU (or sigmoid) MLP with a softmax cross-entropy (or MSE) head and SGD, in plain NumPy."""

    def __init__(self, sizes: list[int], dtype: type = np.float32, activation: str = "relu", seed: int = 0,
                 loss: str = "cross_entropy") -> None:
        rng = np.random.default_rng(seed)
        self.weights = []
        self.biases = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            bound = 1 / np.sqrt(fan_in)
            self.weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype))
            self.biases.append(rng.uniform(-bound, bound, fan_out).astype(dtype))
        self.activation = activation
        self.loss = loss
        self.dtype = dtype

    def _act(self, z: np.ndarray) -> np.ndarray:
        if self.activation == "relu":
            return np.maximum(z, 0, out=z)
        return 1 / (1 + np.exp(-z))

    def forward(self, x: np.ndarray) -> np.ndarray:
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = x @ w.T
            x += b
            if i < len(self.weights) - 1 or self.loss == "mse":
                x = self._act(x)
        return x

    def step(self, x: np.ndarray, y: np.ndarray, lr: float) -> float:
        activations = [x]
        h = x
        n_layers = len(self.weights)
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = h @ w.T
            z += b
            h = self._act(z) if (i < n_layers - 1 or self.loss == "mse") else z
            activations.append(h)
        out = activations[-1]
        n = x.shape[0]
        if self.loss == "cross_entropy":
            shifted = out - out.max(axis=1, keepdims=True)
            exps = np.exp(shifted)
            sums = exps.sum(axis=1, keepdims=True)
            loss = float(np.log(sums).mean() - shifted[np.arange(n), y].mean())
            delta = exps / sums
            delta[np.arange(n), y] -= 1
            delta /= n
        else:
            diff = out - y
            loss = float((diff * diff).mean())
            delta = (2 / diff.size) * diff * out * (1 - out)
        for i in range(n_layers - 1, -1, -1):
            w = self.weights[i]
            grad_w = delta.T @ activations[i]
            grad_b = delta.sum(axis=0)
            if i > 0:
                delta = delta @ w
                h = activations[i]
                if self.activation == "relu":
                    delta *= h > 0
                else:
                    delta *= h * (1 - h)
            grad_w *= lr
            w -= grad_w
            self.biases[i] -= lr * grad_b
        return loss
