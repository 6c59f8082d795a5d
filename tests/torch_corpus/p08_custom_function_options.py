import torch


class ScaledClamp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale, low):
        ctx.save_for_backward(x)
        ctx.scale = scale
        ctx.low = low
        return (x * scale).clamp(min=low)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        mask = (x * ctx.scale > ctx.low).double()
        grad_x = grad * ctx.scale * mask if ctx.needs_input_grad[0] else None
        return grad_x, None, None


class MulAdd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b, a + b

    @staticmethod
    def backward(ctx, g_mul, g_add):
        a, b = ctx.saved_tensors
        return g_mul * b + g_add, g_mul * a + g_add


x = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
y = ScaledClamp.apply(x, 3.0, 0.0)
y.sum().backward()
print(y.tolist(), x.grad.tolist())
a = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
b = torch.tensor([3.0, -1.0], dtype=torch.float64, requires_grad=True)
p, s = MulAdd.apply(a, b)
(p * 2 + s * s).sum().backward()
print(p.tolist(), s.tolist(), a.grad.tolist(), b.grad.tolist())
print(torch.autograd.gradcheck(lambda u, v: MulAdd.apply(u, v), (a, b)))
