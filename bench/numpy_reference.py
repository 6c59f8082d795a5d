"""The yardstick: the same networks trained by hand-written NumPy, as fast as plain NumPy allows.

No autograd, no modules, no checks: the forward and backward of an MLP written out once, with

- the backward in the fewest matrix products (dL/dX of the input layer is never computed),
- every element-wise step done in place on an array that is not needed any more (ReLU on z,
  the softmax on the logits, the ReLU mask on delta, lr * dW on dW),
- the softmax cross-entropy's gradient as ``(p - onehot(y)) / n`` in one pass, and
- SGD written into the parameter arrays in place.

chainrule, with its engine, modules and optimisers, is measured against this. ``run.py`` checks that
it computes the same losses and parameters as chainrule and PyTorch before timing it.
"""

from __future__ import annotations

import numpy as np


class NumpyMLP:
    """ReLU (or sigmoid) MLP with a softmax cross-entropy (or MSE) head and plain SGD, in NumPy.

    ``weights[i]`` has shape (out, in) and ``biases[i]`` (out,), as in PyTorch; a batch is rows,
    ``z = h @ W.T + b``. The MSE network puts the activation after its last layer too.
    """

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], activation: str = "relu",
                 loss: str = "cross_entropy") -> None:
        self.weights = [np.array(w) for w in weights]
        self.biases = [np.array(b) for b in biases]
        if activation not in ("relu", "sigmoid") or loss not in ("cross_entropy", "mse"):
            raise ValueError(f"NumpyMLP: activation {activation!r} / loss {loss!r} not implemented "
                             "(relu or sigmoid; cross_entropy or mse)")
        self.activation = activation
        self.loss = loss

    def _activate_(self, z: np.ndarray) -> np.ndarray:
        """The activation, written into ``z`` (its pre-activation values are not needed again)."""
        if self.activation == "relu":
            return np.maximum(z, 0, out=z)
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1
        return np.reciprocal(z, out=z)

    def _layers(self, x: np.ndarray) -> list[np.ndarray]:
        """The input and every layer's output, [x, h1, ..., out]."""
        outputs = [x]
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = outputs[-1] @ w.T
            z += b
            outputs.append(self._activate_(z) if (i < last or self.loss == "mse") else z)
        return outputs

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self._layers(x)[-1]

    def step(self, x: np.ndarray, y: np.ndarray, lr: float) -> float:
        """One SGD step on the batch (x, y); returns the batch's mean loss before the step."""
        outputs = self._layers(x)
        out = outputs[-1]
        n = x.shape[0]
        if self.loss == "cross_entropy":
            # delta = dL/dz = (softmax(z) - onehot(y)) / n, built in the logits' own array.
            rows = np.arange(n)
            out -= out.max(axis=1, keepdims=True)
            picked = out[rows, y]
            np.exp(out, out=out)
            sums = out.sum(axis=1, keepdims=True)
            loss = float(np.log(sums).mean() - picked.mean())
            out /= sums
            out[rows, y] -= 1
            out *= 1 / n
            delta = out
        else:
            # MSE after a sigmoid: dL/dz = 2 (out - y) / size * out (1 - out).
            diff = out - y
            loss = float(np.dot(diff.ravel(), diff.ravel()) / diff.size)
            diff *= 2 / diff.size
            delta = diff * out * (1 - out)
        for i in range(len(self.weights) - 1, -1, -1):
            w = self.weights[i]
            grad_w = delta.T @ outputs[i]
            grad_b = delta.sum(axis=0)
            if i > 0:
                # dL/dh with the old weights, then through the activation: its derivative from its output.
                delta = delta @ w
                h = outputs[i]
                if self.activation == "relu":
                    delta *= h > 0
                else:
                    delta *= h * (1 - h)
            grad_w *= lr
            w -= grad_w
            grad_b *= lr
            self.biases[i] -= grad_b
        return loss
