"""The safetensors format: chainrule's NumPy reader/writer against the safetensors package, and every
kind of damaged or foreign file refused with a clear ModelFileError."""

from __future__ import annotations

import json
import pickle
import zipfile

import numpy as np
import pytest
import safetensors.numpy
import torch

import chainrule as cr
from chainrule.io import ModelFileError
from chainrule.io import safetensors_format as fmt

ARRAYS = {
    "weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
    "bias": np.array([1.5, -2.25], dtype=np.float64),
    "scalar": np.array(3.5, dtype=np.float32),                     # 0-d
    "empty": np.zeros((0, 3), dtype=np.float32),
    "steps": np.array([1, -2, 3], dtype=np.int64),
    "mask": np.array([True, False]),
    "half": np.array([0.5, 1.0], dtype=np.float16),
    "bytes": np.array([0, 255], dtype=np.uint8),
    "int32": np.array([7], dtype=np.int32),
    "uint16": np.array([9], dtype=np.uint16),
    "int8": np.array([-3], dtype=np.int8),
    "int16": np.array([-300], dtype=np.int16),
    "uint32": np.array([2**31], dtype=np.uint32),
    "uint64": np.array([2**63], dtype=np.uint64),
    "grüße": np.ones(2, dtype=np.float32),                          # non-ASCII name
    "transposed": np.arange(6, dtype=np.float64).reshape(2, 3).T,   # not C-contiguous
    "big_endian": np.arange(3, dtype=">f4"),
}
METADATA = {"chainrule": json.dumps({"text": "élan \"quoted\"\n\ttab", "n": 1})}


def assert_same_arrays(got: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert sorted(got) == sorted(expected)
    for name, array in expected.items():
        assert got[name].shape == array.shape, name
        assert got[name].dtype == array.dtype.newbyteorder("="), name
        np.testing.assert_array_equal(got[name], array)


def test_numpy_writer_gives_the_same_bytes_as_the_safetensors_package() -> None:
    ours = fmt.encode(ARRAYS, METADATA)
    theirs = safetensors.numpy.save({k: np.asarray(v, order="C") for k, v in ARRAYS.items()}, metadata=METADATA)
    assert ours == theirs


def test_each_reader_reads_the_other_writers_file() -> None:
    ours = fmt.encode(ARRAYS, METADATA)
    assert_same_arrays(safetensors.numpy.load(ours), ARRAYS)
    theirs = safetensors.numpy.save({k: np.asarray(v, order="C") for k, v in ARRAYS.items()}, metadata=METADATA)
    arrays, metadata = fmt.decode(theirs)
    assert_same_arrays(arrays, ARRAYS)
    assert metadata == METADATA
    assert all(array.flags.writeable for array in arrays.values())


def test_file_layout_is_the_documented_one() -> None:
    data = fmt.encode({"w": np.array([1.0, 2.0], dtype=np.float32)}, {"k": "v"})
    length = int.from_bytes(data[:8], "little")
    assert length % 8 == 0
    header = json.loads(data[8:8 + length])
    assert header == {"__metadata__": {"k": "v"}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    assert data[8 + length:] == np.array([1.0, 2.0], dtype="<f4").tobytes()


def test_both_backends_write_identical_model_files(tmp_path, monkeypatch) -> None:
    from chainrule.io import model_file

    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.ReLU(), cr.nn.Linear(4, 2))
    files = {}
    for backend in ("numpy", "safetensors"):
        monkeypatch.setattr(model_file, "BACKEND", backend)
        cr.save(model, tmp_path / f"{backend}.safetensors", metadata={"classes": ["a", "b"], "mean": np.ones(3)})
        files[backend] = (tmp_path / f"{backend}.safetensors").read_bytes()
        loaded = cr.load(tmp_path / "numpy.safetensors")   # the other backend's file reads back
        np.testing.assert_array_equal(loaded[0].weight.data, model[0].weight.data)
    assert files["numpy"] == files["safetensors"]


def test_torch_reads_chainrule_weights_and_chainrule_reads_torch_weights(tmp_path) -> None:
    import safetensors.torch

    cr.manual_seed(1)
    model = cr.nn.Sequential(cr.nn.Linear(3, 5), cr.nn.Tanh(), cr.nn.Linear(5, 2))
    cr.save(model, tmp_path / "cr.safetensors")
    reference = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    reference.load_state_dict(safetensors.torch.load_file(str(tmp_path / "cr.safetensors")))
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
    with cr.no_grad():
        got = model(cr.tensor(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)

    safetensors.torch.save_file(reference.state_dict(), str(tmp_path / "torch.safetensors"))
    state = cr.load_state_dict(tmp_path / "torch.safetensors")
    np.testing.assert_array_equal(state["2.weight"].numpy(), reference[2].weight.detach().numpy())


@pytest.fixture
def model_bytes(tmp_path) -> bytes:
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(2, 3), cr.nn.Sigmoid(), cr.nn.Linear(3, 1))
    cr.save(model, tmp_path / "good.safetensors", metadata={"features": ["x1", "x2"], "scale": [0.5, 2.0]})
    return (tmp_path / "good.safetensors").read_bytes()


def test_every_truncation_is_refused(tmp_path, model_bytes) -> None:
    from chainrule.io.model_file import model_from_bytes

    for size in range(len(model_bytes)):
        with pytest.raises(ModelFileError, match="cut.safetensors") as error:
            model_from_bytes(model_bytes[:size], "cut.safetensors")
        assert any(word in str(error.value) for word in ("truncated", "empty", "corrupted", "not a safetensors"))
    path = tmp_path / "cut.safetensors"   # and through a real file, as cr.load reads it
    path.write_bytes(model_bytes[:len(model_bytes) - 1])
    with pytest.raises(ModelFileError, match="truncated"):
        cr.load(path)


def test_every_single_byte_corruption_is_refused(tmp_path, model_bytes) -> None:
    from chainrule.io.model_file import model_from_bytes

    for mask in (0x01, 0x20, 0x80):
        for position in range(len(model_bytes)):
            damaged = bytearray(model_bytes)
            damaged[position] ^= mask
            with pytest.raises(ModelFileError, match="flipped.safetensors"):
                model_from_bytes(bytes(damaged), "flipped.safetensors")
    (tmp_path / "flipped.safetensors").write_bytes(model_bytes[:-1] + bytes([model_bytes[-1] ^ 1]))
    with pytest.raises(ModelFileError, match="do not match its checksum"):
        cr.load(tmp_path / "flipped.safetensors")


def test_extra_bytes_after_the_data_are_refused(tmp_path, model_bytes) -> None:
    (tmp_path / "long.safetensors").write_bytes(model_bytes + b"\0" * 4)
    with pytest.raises(ModelFileError, match="unexpected bytes"):
        cr.load(tmp_path / "long.safetensors")


class _Marker:
    """Unpickling this would create a file: the proof that code ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _foreign_files(tmp_path) -> dict[str, tuple[bytes, str]]:
    marker = str(tmp_path / "MARKER")
    torch_path = tmp_path / "torch.pt"
    torch.save({"weight": torch.ones(2), "payload": _Marker(marker)}, torch_path)
    zipped = tmp_path / "plain.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("data.pkl", pickle.dumps(_Marker(marker)))
    files = {f"pickle{protocol}": (pickle.dumps(_Marker(marker), protocol=protocol), "pickle")
             for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1)}
    files.update({
        "torch.save": (torch_path.read_bytes(), "zip archive"),
        "zip": (zipped.read_bytes(), "zip archive"),
        "png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "PNG image"),
        "text": (b"weight,bias\n1.0,2.0\n", "text file"),
        "npy": (b"\x93NUMPY\x01\x00" + b"\0" * 30, "NumPy .npy"),
        "empty": (b"", "empty"),
        "short": (b"\x10\0\0", "truncated"),
        "json-but-not-object": ((8).to_bytes(8, "little") + b"[1,2,3] ", "not a safetensors file"),
    })
    return files


def test_foreign_and_pickled_files_are_refused_without_running_them(tmp_path) -> None:
    for name, (data, description) in _foreign_files(tmp_path).items():
        path = tmp_path / f"{name}.safetensors"
        path.write_bytes(data)
        for loader in (cr.load, cr.load_state_dict):
            with pytest.raises(ModelFileError) as error:
                loader(path)
            message = str(error.value)
            assert message.startswith(str(path)) and "\n" not in message, message
            assert description in message, (name, message)
    assert not (tmp_path / "MARKER").exists()


def test_missing_file_and_directory_are_refused(tmp_path) -> None:
    with pytest.raises(ModelFileError, match="no such file"):
        cr.load(tmp_path / "absent.safetensors")
    with pytest.raises(ModelFileError, match="is a directory"):
        cr.load(tmp_path)
    assert issubclass(ModelFileError, ValueError)


def test_a_header_naming_code_is_refused_by_the_registry(tmp_path) -> None:
    """An architecture that names os.system (or any class outside the registry) is never looked up."""
    from chainrule.io import model_file

    marker = tmp_path / "MARKER"
    for architecture in (
        {"type": "os.system", "args": {"command": f"touch {marker}"}},
        {"type": "__import__", "args": {"name": "os"}},
        {"type": "Linear", "args": {"in_features": 2, "out_features": 1, "__class__": "os.system"}},
        {"type": "Sequential", "children": [{"type": "eval", "args": {"source": "1"}}]},
        {"type": "Module", "args": {}},
    ):
        document = {"kind": "model", "version": "0.1.0", "architecture": architecture, "dtype": "float32",
                    "training": False, "metadata": {}}
        (tmp_path / "evil.safetensors").write_bytes(model_file.encode_file({}, document))
        with pytest.raises(ModelFileError, match="cannot rebuild"):
            cr.load(tmp_path / "evil.safetensors")
    assert not marker.exists()


def test_a_file_from_a_newer_chainrule_is_refused_with_the_version(tmp_path) -> None:
    data = fmt.encode({}, {"chainrule": json.dumps({"format": 99, "version": "9.0", "kind": "model"})})
    (tmp_path / "new.safetensors").write_bytes(data)
    with pytest.raises(ModelFileError, match="newer chainrule"):
        cr.load(tmp_path / "new.safetensors")
