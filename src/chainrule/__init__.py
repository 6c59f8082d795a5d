"""chainrule: neural networks from first principles, with PyTorch's API on NumPy.

>>> import chainrule as cr
>>> x = cr.tensor(2.0, requires_grad=True)
>>> h = (2 * (x + 1)) ** 2        # the notes' computational graph
>>> h.backward()
>>> x.grad                         # h'(2) = 8x + 8
tensor(24.)

The core (tensors, autograd, dtypes, randomness) is imported at once; the larger parts (``nn``,
``optim``, ``data``, ``viz``, ``sklearn``, ...) load on first use, so ``import chainrule`` stays fast
and plotting libraries are only imported by those who plot.
"""

from __future__ import annotations

import importlib
from typing import Any

# NOTE: _startup first (before NumPy): a Ctrl-C while the `chainrule` command starts is one line, no traceback.
from chainrule import (  # noqa: F401
    _startup,
    autograd,
    cuda,  # devices: cr.cuda, cr.device, cr.set_default_device
    dtypes,
)
from chainrule.autograd import Function, Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from chainrule.autograd.functional import (
    abs,
    add,
    all,
    allclose,
    amax,
    amin,
    any,
    argmax,
    argmin,
    cat,
    clamp,
    clip,
    concat,
    cos,
    cumsum,
    div,
    dot,
    erf,
    exp,
    flatten,
    gather,
    log,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    mv,
    neg,
    norm,
    outer,
    permute,
    pow,
    prod,
    relu,
    reshape,
    sigmoid,
    sin,
    softmax,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    sum,
    t,
    tanh,
    topk,
    transpose,
    unsqueeze,
    var,
    where,
)
from chainrule.autograd.grad_mode import inference_mode
from chainrule.backend import device, get_default_device, set_default_device  # noqa: E402
from chainrule.creation import (
    DoubleTensor,
    FloatTensor,
    LongTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    is_tensor,
    linspace,
    numel,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from chainrule.dtypes import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    uint8,
)
from chainrule.random import get_rng_state, initial_seed, manual_seed, set_rng_state

__version__ = "0.1.0"

# name -> module that defines it; loaded on first access (PEP 562).
_LAZY: dict[str, str] = {
    "nn": "chainrule.nn",
    "optim": "chainrule.optim",
    "data": "chainrule.data",
    "distributed": "chainrule.distributed",
    "train": "chainrule.train",
    "explain": "chainrule.explain",
    "viz": "chainrule.viz",
    "sklearn": "chainrule.sklearn",
    "io": "chainrule.io",
    "fit": "chainrule.train",
    "evaluate": "chainrule.train",
    "History": "chainrule.train",
    "Perceptron": "chainrule.perceptron",
    "summary": "chainrule.model_summary",
    "save": "chainrule.io",
    "load": "chainrule.io",
    "save_state_dict": "chainrule.io",
    "load_state_dict": "chainrule.io",
    "compile": "chainrule.compiler",
    "compiler": "chainrule.compiler",
    "diagnose": "chainrule.train",
    "utils": "chainrule.utils",  # PyTorch's torch.utils.data (DataLoader, Dataset, ...)
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'chainrule' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name == f"chainrule.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "DoubleTensor", "FloatTensor", "LongTensor", "cumsum", "gather", "inference_mode", "norm", "prod", "topk",
    "Function", "Tensor", "abs", "allclose", "amax", "amin", "arange", "argmax", "argmin", "as_tensor",
    "autograd", "bool", "cat", "clamp", "clip", "concat", "cos", "double", "dtypes", "empty", "enable_grad",
    "erf", "exp", "eye", "flatten", "float", "float16", "float32", "float64", "from_numpy", "full",
    "full_like", "get_default_dtype", "get_rng_state", "half", "initial_seed", "int", "int8", "int16",
    "int32", "int64", "is_grad_enabled", "is_tensor", "linspace", "log", "log_softmax", "logsumexp", "long",
    "manual_seed", "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "no_grad", "numel", "ones",
    "ones_like", "permute", "pow", "rand", "rand_like", "randint", "randn", "randn_like", "randperm", "relu",
    "reshape", "set_default_dtype", "set_grad_enabled", "set_rng_state", "sigmoid", "sin", "softmax",
    "sqrt", "square", "squeeze", "stack", "std", "sum", "tanh", "tensor", "transpose", "uint8",
    "unsqueeze", "var", "where", "zeros", "zeros_like", *_LAZY,
    "cuda", "device", "get_default_device", "set_default_device",
    "add", "all", "any", "div", "dot", "empty_like", "mul", "mv", "neg", "outer", "sub", "t",
]
