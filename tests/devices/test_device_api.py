"""PyTorch's device API on the stand-in GPU: cr.device, cr.cuda, Tensor.to/.cpu/.cuda, factories' device=,
.numpy()/.item()/print of a GPU tensor, and the error for mixing devices."""

from __future__ import annotations

import numpy as np
import pytest
from standin_cuda import StandinArray

import chainrule as cr
from chainrule import backend

pytestmark = pytest.mark.usefixtures("cuda")


def test_device_objects() -> None:
    d = cr.device("cuda:1")
    assert (d.type, d.index, str(d), repr(d)) == ("cuda", 1, "cuda:1", "device(type='cuda', index=1)")
    assert cr.device("cuda") != cr.device("cuda:0") and cr.device("cuda", 0) == cr.device("cuda:0")
    assert cr.device(cr.device("cpu")) == "cpu" and cr.device("cpu").index is None
    assert len({cr.device("cuda:0"), cr.device("cuda", 0), cr.device("cpu")}) == 2
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        cr.device("tpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        cr.device("cuda:x")


def test_cuda_questions() -> None:
    assert cr.cuda.is_available() and cr.cuda.device_count() == 2
    cr.cuda.manual_seed(3)
    first = cr.randn(4, device="cuda").cpu().numpy()
    cr.manual_seed(3)
    assert np.array_equal(first, cr.randn(4).numpy())  # one host generator: the same draws on every device


def test_to_and_back_keeps_values_and_gradients() -> None:
    x = cr.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x.to("cuda")
    assert isinstance(y.data, StandinArray) and y.device == cr.device("cuda:0") and y.is_cuda
    assert not x.is_cuda and x.device == cr.device("cpu")
    (y * y).sum().backward()
    assert x.grad is not None and x.grad.device.type == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0, 6.0])
    z = x.detach().cuda(1)
    assert z.device == cr.device("cuda:1") and z.to("cuda:1") is z
    assert z.to(z) is z and z.cpu().device == cr.device("cpu")
    both = x.detach().to("cuda", cr.float64)
    assert both.dtype == cr.float64 and both.is_cuda
    named = x.detach().to(device="cuda", dtype=cr.float64, copy=True)
    assert named.is_cuda and named.dtype == cr.float64
    assert x.to(x, copy=True) is not x
    with pytest.raises(RuntimeError, match="out of range"):
        x.to("cuda:2")


def test_factories_take_device() -> None:
    made = [cr.tensor([1.0], device="cuda"), cr.zeros(2, device="cuda"), cr.ones(2, device="cuda"),
            cr.full((2,), 3.0, device="cuda"), cr.empty(2, device="cuda"), cr.arange(3, device="cuda"),
            cr.linspace(0, 1, 3, device="cuda"), cr.eye(2, device="cuda"), cr.rand(2, device="cuda"),
            cr.randn(2, device="cuda"), cr.randint(0, 5, (3,), device="cuda"), cr.randperm(4, device="cuda"),
            cr.as_tensor(np.ones(2), device="cuda")]
    on_gpu = cr.zeros(2, device="cuda:1")
    made += [cr.zeros_like(on_gpu), cr.ones_like(on_gpu), cr.full_like(on_gpu, 2.0), cr.rand_like(on_gpu),
             cr.randn_like(on_gpu)]
    for t in made:
        assert t.is_cuda, t
    assert {t.device.index for t in made[-5:]} == {1}
    cr.set_default_device("cuda")
    assert cr.get_default_device() == cr.device("cuda:0") and cr.tensor([1.0, 2.0]).is_cuda
    assert cr.zeros(2, device="cpu").device.type == "cpu"


def test_host_conversions() -> None:
    t = cr.tensor([[1.5, 2.0]], device="cuda")
    with pytest.raises(TypeError,
                       match=r"can't convert cuda:0 device type tensor to numpy\. Use Tensor\.cpu\(\)"):
        t.numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0"):
        np.asarray(t)
    assert t.sum().item() == 3.5 and t.tolist() == [[1.5, 2.0]] and float(t[0, 0]) == 1.5
    assert repr(t) == "tensor([[1.5000, 2.0000]], device='cuda:0')"
    assert bool(t.sum() > 3) and t.cpu().numpy().tolist() == [[1.5, 2.0]]


def test_mixing_devices_names_both_and_the_op() -> None:
    gpu, cpu = cr.ones(2, device="cuda"), cr.ones(2)
    expected = (r"Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu! "
                r"\(when checking argument for argument 1 in Add\)")
    with pytest.raises(RuntimeError, match=expected):
        gpu + cpu
    with pytest.raises(RuntimeError, match="cuda:0 and cuda:1"):
        gpu @ cr.ones(2, device="cuda:1")
    assert (gpu + 1).is_cuda and (2.0 * gpu).is_cuda and (gpu > 0).is_cuda  # Python numbers join the tensor


def test_in_place_and_copy_across_devices() -> None:
    t = cr.zeros(3, device="cuda")
    t.copy_(cr.tensor([1.0, 2.0, 3.0]))
    t += 1
    t.clamp_(max=3.5)
    t.normal_()
    t.copy_(np.array([1.0, 2.0, 3.0]))
    assert t.is_cuda and t.tolist() == [1.0, 2.0, 3.0]


def test_without_a_gpu_the_error_says_how_to_install() -> None:
    previous = backend.register_cuda(None)
    try:
        backend._registry.searched = True  # as after looking for CuPy and not finding it
        assert not cr.cuda.is_available() and cr.cuda.device_count() == 0
        with pytest.raises(RuntimeError, match=r"no CUDA device was found.*pip install 'chainrule\[cuda12\]'"):
            cr.ones(2).to("cuda")
        with pytest.raises(RuntimeError, match="no CUDA device"):
            cr.set_default_device("cuda")
    finally:
        backend.register_cuda(previous)
