"""cr.save / cr.load / cr.save_state_dict / cr.load_state_dict: round trips, metadata, atomic writes."""

from __future__ import annotations

import math
import os
from collections import OrderedDict

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn
from chainrule.io import REGISTRY, ModelFileError, read_model


def every_layer() -> nn.Sequential:
    return nn.Sequential(
        nn.Flatten(start_dim=1, end_dim=-1), nn.Linear(6, 5), nn.LeakyReLU(negative_slope=0.2), nn.Dropout(p=0.25),
        nn.Linear(5, 4, bias=False), nn.ELU(alpha=0.5), nn.Softplus(beta=2.0, threshold=10.0),
        nn.Sequential(nn.Linear(4, 4), nn.GELU(approximate="tanh"), nn.Tanh(), nn.Sigmoid(), nn.ReLU()),
        nn.Identity(), nn.Linear(4, 3), nn.LogSoftmax(dim=1), nn.Softmax(dim=-1), nn.LogSigmoid(), nn.Step(0.5),
    )


def parameters(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: value.data for name, value in model.state_dict().items()}


def test_every_registered_layer_round_trips_with_its_arguments(tmp_path) -> None:
    cr.manual_seed(0)
    model = every_layer()
    covered = {type(module).__name__ for module in model.modules()} - {"Sequential"}
    assert covered == {name for name in REGISTRY if hasattr(nn, name)}   # the test covers the registry
    cr.save(model, tmp_path / "m.safetensors")
    loaded = cr.load(tmp_path / "m.safetensors")
    assert repr(loaded) == repr(model)            # types and constructor arguments, nesting included
    assert loaded[4].bias is None
    expected, got = parameters(model), parameters(loaded)
    assert list(got) == list(expected)
    for name in expected:
        assert got[name].dtype == expected[name].dtype
        np.testing.assert_array_equal(got[name], expected[name])
    x = cr.randn(3, 2, 3)
    model.eval(), loaded.eval()
    with cr.no_grad():
        np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())


def test_float64_models_stay_float64_and_the_mode_is_kept(tmp_path) -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh()).double().eval()
    cr.save(model, tmp_path / "m.safetensors")
    loaded = cr.load(tmp_path / "m.safetensors")
    assert loaded[0].weight.dtype == np.float64
    assert loaded.training is False
    np.testing.assert_array_equal(loaded[0].weight.data, model[0].weight.data)


def test_sequential_with_named_children_keeps_its_state_dict_keys(tmp_path) -> None:
    model = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.ReLU()), ("out", nn.Linear(3, 1))]))
    cr.save(model, tmp_path / "m.safetensors")
    loaded = cr.load(tmp_path / "m.safetensors")
    assert list(loaded.state_dict()) == ["hidden.weight", "hidden.bias", "out.weight", "out.bias"]


def test_metadata_round_trips_with_its_types(tmp_path) -> None:
    metadata = {
        "feature_names": ["größe", "x2"], "classes": ["no", "yes"], "mean": np.array([0.5, -1.0]),
        "scale": np.float32(2.5), "counts": {0: 10, 1: 12}, "shape": (3, 4), "nested": {"a": [1, {"b": None}]},
        "edge": [math.inf, -math.inf], "flag": True, "tensor": cr.tensor([1.0, 2.0]),
    }
    cr.save(nn.Linear(2, 1), tmp_path / "m.safetensors", metadata=metadata)
    saved = read_model(tmp_path / "m.safetensors")
    got = saved.metadata
    assert saved.version == cr.__version__
    assert got["feature_names"] == ["größe", "x2"] and got["classes"] == ["no", "yes"]
    assert isinstance(got["mean"], np.ndarray) and got["mean"].tolist() == [0.5, -1.0]
    assert got["scale"] == np.float32(2.5) and got["scale"].dtype == np.float32
    assert got["counts"] == {0: 10, 1: 12} and got["shape"] == (3, 4)
    assert got["nested"] == {"a": [1, {"b": None}]} and got["edge"] == [math.inf, -math.inf]
    assert got["flag"] is True and isinstance(got["tensor"], cr.Tensor)
    assert got["tensor"].tolist() == [1.0, 2.0]


def test_nan_in_metadata_round_trips(tmp_path) -> None:
    cr.save(nn.Linear(1, 1), tmp_path / "m.safetensors", metadata={"value": math.nan})
    assert math.isnan(read_model(tmp_path / "m.safetensors").metadata["value"])


def test_a_custom_module_is_refused_with_the_way_out(tmp_path) -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(2, 1)

    with pytest.raises(ValueError, match=r"cr.save\(model.state_dict\(\), path\)"):
        cr.save(Net(), tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()

    class MyLinear(nn.Linear):   # a subclass may change forward: not the registered Linear
        pass

    with pytest.raises(ValueError, match="MyLinear"):
        cr.save(nn.Sequential(MyLinear(2, 1)), tmp_path / "m.safetensors")


def test_unstorable_metadata_is_refused_before_anything_is_written(tmp_path) -> None:
    path = tmp_path / "m.safetensors"
    cr.save(nn.Linear(2, 1), path)
    good = path.read_bytes()
    with pytest.raises(ValueError, match="cannot store a value of type object"):
        cr.save(nn.Linear(2, 1), path, metadata={"bad": object()})
    assert path.read_bytes() == good


def test_loading_a_model_does_not_move_the_random_stream(tmp_path) -> None:
    cr.save(nn.Sequential(nn.Linear(20, 30), nn.Linear(30, 2)), tmp_path / "m.safetensors")
    cr.manual_seed(5)
    expected = cr.randn(4).numpy()
    cr.manual_seed(5)
    cr.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(cr.randn(4).numpy(), expected)


def test_state_dict_round_trip_and_torch_interop(tmp_path) -> None:
    import safetensors.torch

    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    cr.save_state_dict(model.state_dict(), tmp_path / "w.safetensors", metadata={"epoch": 3})
    state = cr.load_state_dict(tmp_path / "w.safetensors")
    assert sorted(state) == sorted(model.state_dict())
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(state)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[name].data, value.data)
    torch_state = safetensors.torch.load_file(str(tmp_path / "w.safetensors"))
    assert sorted(torch_state) == sorted(model.state_dict())   # torch sees only the weights
    np.testing.assert_array_equal(torch_state["0.weight"].numpy(), model[0].weight.data)
    # a state_dict file is not a model: cr.load gives the state_dict back (as torch.load does), and
    # read_model, which wants a model, says what to do instead
    assert sorted(cr.load(tmp_path / "w.safetensors")) == sorted(model.state_dict())
    with pytest.raises(ModelFileError, match="cr.load_state_dict"):
        read_model(tmp_path / "w.safetensors")


def test_state_dict_accepts_arrays_and_keeps_dtypes(tmp_path) -> None:
    state = {"w": np.arange(4, dtype=np.int32), "x": cr.tensor([1.5], dtype=cr.float64)}
    cr.save_state_dict(state, tmp_path / "s.safetensors")
    loaded = cr.load_state_dict(tmp_path / "s.safetensors")
    assert loaded["w"].dtype == np.int32 and loaded["x"].dtype == np.float64
    assert loaded["w"].tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="without '/'"):
        cr.save_state_dict({"a/b": np.zeros(1)}, tmp_path / "bad.safetensors")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch) -> None:
    path = tmp_path / "m.safetensors"
    cr.save(nn.Linear(2, 1), path)
    good = path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="No space"):
        cr.save(nn.Linear(2, 1), path)
    assert path.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["m.safetensors"]


def test_an_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch) -> None:
    from chainrule.io import atomic

    path = tmp_path / "m.safetensors"
    cr.save(nn.Linear(2, 1), path)
    good = path.read_bytes()

    def interrupted_fsync(descriptor: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        cr.save(nn.Linear(2, 1), path)
    assert path.read_bytes() == good
    assert sorted(os.listdir(tmp_path)) == ["m.safetensors"]


def test_new_files_get_ordinary_permissions(tmp_path) -> None:
    old = os.umask(0o022)
    try:
        cr.save(nn.Linear(2, 1), tmp_path / "m.safetensors")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "m.safetensors").st_mode & 0o777 == 0o644


def test_saved_model_gives_torch_the_same_outputs(tmp_path) -> None:
    """The weights as saved drive an identical PyTorch network to the same outputs (float64)."""
    import safetensors.torch

    cr.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 8), nn.ELU(alpha=0.5), nn.Linear(8, 3)).double()
    cr.save(model, tmp_path / "m.safetensors")
    reference = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ELU(alpha=0.5), torch.nn.Linear(8, 3)).double()
    reference.load_state_dict(safetensors.torch.load_file(str(tmp_path / "m.safetensors")))
    x = np.random.default_rng(1).normal(size=(5, 4))
    loaded = cr.load(tmp_path / "m.safetensors")
    with cr.no_grad(), torch.no_grad():
        np.testing.assert_allclose(loaded(cr.tensor(x)).numpy(), reference(torch.from_numpy(x)).numpy(),
                                   rtol=1e-12, atol=1e-12)
