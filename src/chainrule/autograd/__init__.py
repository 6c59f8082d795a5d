"""The autograd engine: tensors that record operations, and backpropagation through them."""

from chainrule.autograd.custom_function import FunctionCtx
from chainrule.autograd.differentiate import Variable, backward, grad
from chainrule.autograd.function import Function, unbroadcast
from chainrule.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from chainrule.autograd.gradcheck import GradcheckError, gradcheck
from chainrule.autograd.tensor import Tensor

__all__ = [
    "Function", "FunctionCtx", "GradcheckError", "Variable", "backward", "grad",
    "Tensor", "enable_grad", "gradcheck", "is_grad_enabled", "no_grad",
    "set_grad_enabled", "unbroadcast",
]
