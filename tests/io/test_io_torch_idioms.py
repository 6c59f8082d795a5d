"""cr.save / cr.load as torch.save / torch.load are used: a state_dict, a checkpoint dict, other versions."""

from __future__ import annotations

import os
from collections import OrderedDict

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn
from chainrule.io import ModelFileError, read_model


def test_pytorch_idiom_save_state_dict_then_load_state_dict_of_load(tmp_path) -> None:
    """torch.save(model.state_dict(), PATH); model.load_state_dict(torch.load(PATH)), with cr for torch."""
    import safetensors.torch

    cr.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    cr.save(model.state_dict(), tmp_path / "w.pt")
    state = cr.load(tmp_path / "w.pt", map_location="cpu", weights_only=True)
    assert isinstance(state, OrderedDict) and all(isinstance(value, cr.Tensor) for value in state.values())
    fresh = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    fresh.load_state_dict(state)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[name].data, value.data)
    # the file is a plain safetensors file of the weights, which PyTorch reads too
    assert sorted(safetensors.torch.load_file(str(tmp_path / "w.pt"))) == sorted(model.state_dict())
    # and a safetensors file written by another program loads the same way
    torch_model = torch.nn.Linear(2, 1)
    safetensors.torch.save_file(torch_model.state_dict(), str(tmp_path / "torch.safetensors"))
    loaded = cr.load(tmp_path / "torch.safetensors")
    np.testing.assert_array_equal(loaded["weight"].numpy(), torch_model.weight.detach().numpy())
    # and a PyTorch state_dict given to cr.save is stored as one (its tensors read through np.asarray)
    cr.save(torch_model.state_dict(), tmp_path / "from-torch.safetensors")
    twin = nn.Linear(2, 1)
    twin.load_state_dict(cr.load(tmp_path / "from-torch.safetensors"))
    np.testing.assert_array_equal(twin.weight.data, torch_model.weight.detach().numpy())


def test_pytorch_checkpoint_dict_round_trips(tmp_path) -> None:
    """torch.save({"epoch": .., "model_state_dict": .., "optimizer_state_dict": .., "loss": ..}, PATH)."""
    cr.manual_seed(2)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    optimizer = cr.optim.Adam(model.parameters(), lr=0.05)
    loss = model(cr.randn(8, 2)).pow(2).mean()
    loss.backward()
    optimizer.step()
    cr.save({"epoch": 7, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict(),
             "loss": loss.detach(), "history": [1.5, 0.5], "name": "run-1"}, tmp_path / "checkpoint.pt")
    saved = cr.load(tmp_path / "checkpoint.pt")
    assert saved["epoch"] == 7 and saved["history"] == [1.5, 0.5] and saved["name"] == "run-1"
    assert saved["loss"].item() == loss.item()
    fresh = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    fresh_optimizer = cr.optim.Adam(fresh.parameters(), lr=0.9)
    fresh.load_state_dict(saved["model_state_dict"])
    fresh_optimizer.load_state_dict(saved["optimizer_state_dict"])
    assert fresh_optimizer.param_groups[0]["lr"] == 0.05
    np.testing.assert_array_equal(fresh_optimizer.state_dict()["state"][0]["exp_avg"].numpy(),
                                  optimizer.state_dict()["state"][0]["exp_avg"].numpy())
    np.testing.assert_array_equal(fresh[0].weight.data, model[0].weight.data)
    # a tensor and a list are data too; such a file is not a state_dict, and cr.load_state_dict says so
    cr.save(cr.arange(3), tmp_path / "t.pt")
    assert cr.load(tmp_path / "t.pt").tolist() == [0, 1, 2]
    with pytest.raises(ModelFileError, match="load it with cr.load"):
        cr.load_state_dict(tmp_path / "checkpoint.pt")


def test_objects_that_cannot_be_stored_are_refused_with_what_to_save(tmp_path) -> None:
    model = nn.Linear(2, 1)
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"save its state with cr.save\(obj.state_dict\(\), path\)"):
        cr.save(optimizer, tmp_path / "o.pt")
    with pytest.raises(TypeError, match="cannot store a value of type Linear .*cr.save\\(model, path\\)") as error:
        cr.save({"model": model}, tmp_path / "o.pt")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "o.pt").exists()


def test_a_file_from_another_chainrule_version_with_the_same_format_loads(tmp_path) -> None:
    """The version string is information; only a newer file format is refused."""
    import json

    from chainrule.io import model_file
    from chainrule.io.safetensors_format import decode

    cr.save(nn.Linear(2, 1), tmp_path / "m.safetensors")
    arrays, header = decode((tmp_path / "m.safetensors").read_bytes())
    for version, format_version, accepted in (("0.0.1", 1, True), ("7.3.0", 1, True), ("7.3.0", 2, False)):
        document = json.loads(header["chainrule"])
        document.update(version=version, format=format_version)
        document.pop("checksum")
        info = {key: value for key, value in document.items() if key != "format"}
        data = model_file.encode_file(arrays, info)
        if format_version != 1:   # encode_file writes this chainrule's format: make it a newer one
            data = data.replace(b'\\"format\\":1', f'\\"format\\":{format_version}'.encode())
            assert f'"format\\":{format_version}'.encode() in data
        (tmp_path / "v.safetensors").write_bytes(data)
        if accepted:
            assert read_model(tmp_path / "v.safetensors").version == version
        else:
            with pytest.raises(ModelFileError, match="newer chainrule .7.3.0, file format 2.; upgrade"):
                cr.load(tmp_path / "v.safetensors")


def test_an_unwritable_directory_names_the_file_and_keeps_the_old_one(tmp_path, monkeypatch) -> None:
    """A read-only directory (simulated: tests may run as root, who may write anywhere)."""
    import tempfile

    path = tmp_path / "m.safetensors"
    cr.save(nn.Linear(2, 1), path)
    good = path.read_bytes()

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".m.safetensors.x.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError) as error:
        cr.save(nn.Linear(2, 1), path)
    assert error.value.filename == str(path) and ".tmp" not in str(error.value)
    assert path.read_bytes() == good and os.listdir(tmp_path) == ["m.safetensors"]


def test_saving_through_a_symbolic_link_updates_the_file_it_names(tmp_path) -> None:
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / "v3.safetensors"
    cr.save(nn.Linear(2, 1), target)
    (tmp_path / "current.safetensors").symlink_to(target)
    cr.manual_seed(9)
    newer = nn.Linear(2, 1)
    cr.save(newer, tmp_path / "current.safetensors")
    assert (tmp_path / "current.safetensors").is_symlink()
    np.testing.assert_array_equal(cr.load(target).weight.data, newer.weight.data)
    assert sorted(os.listdir(tmp_path / "models")) == ["v3.safetensors"]
