"""Classes 2 and 3 of reliability, for model files: a path that is not a regular file, a file bigger
than a model file can be, a few bytes claiming a huge layer, and documents that are malformed however
carefully their checksum was recomputed. Each is refused quickly, in one ModelFileError line, with or
without the optional safetensors package."""

from __future__ import annotations

import json
import os
import threading
import tracemalloc

import numpy as np
import pytest

import chainrule as cr
from chainrule.io import REGISTRY, ModelFileError, model_file
from chainrule.io import safetensors_format as fmt
from chainrule.io.architecture import ARGUMENTS
from chainrule.io.model_file import encode_file


@pytest.fixture(params=["numpy", "safetensors"])
def backend(request, monkeypatch):
    monkeypatch.setattr(model_file, "BACKEND", request.param)
    return request.param


def linear(n_in: int, n_out: int) -> dict:
    return {"type": "Linear", "args": {"in_features": n_in, "out_features": n_out, "bias": True}}


def crafted(path, architecture=None, arrays=None, **document) -> str:
    """A file whose checksum is right (anyone can recompute it) and whose content is what we say."""
    arrays = {"0.weight": np.ones((2, 3), np.float32), "0.bias": np.ones(2, np.float32)} if arrays is None else arrays
    info = {"kind": "model", "version": "0.1.0", "dtype": "float32", "training": False, "metadata": {},
            "architecture": {"type": "Sequential", "children": [linear(3, 2)]} if architecture is None
            else architecture, **document}
    with open(path, "wb") as handle:
        handle.write(encode_file(arrays, info))
    return str(path)


def raw_file(path, header: str, data: bytes = b"") -> str:
    """A safetensors file with exactly this header text (no checks at all on our side)."""
    text = header.encode()
    with open(path, "wb") as handle:
        handle.write(len(text).to_bytes(8, "little") + text + data)
    return str(path)


def test_the_crafting_helper_makes_loadable_files(tmp_path, backend) -> None:
    assert cr.load(crafted(tmp_path / "ok.safetensors"))[0].weight.shape == (2, 3)


# Class 3: name -> (how to make the file, words the one-line error must contain).
def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


MALFORMED = {
    "JSON header nested 100000 deep": (lambda p: raw_file(p, '{"w": ' + deep(100_000) + "}"), ["nests more than 64"]),
    "chainrule document nested 70 deep": (lambda p: crafted(p, metadata=json.loads(deep(70))), ["nests more than 64"]),
    "NaN in the header": (lambda p: raw_file(p, '{"w": {"dtype": "F32", "shape": [NaN], "data_offsets": [0, 4]}}',
                                             b"\0" * 4), ["NaN is not a JSON value"]),
    "Infinity in the document": (lambda p: raw_file(p, json.dumps({"__metadata__": {
        "chainrule": '{"format": 1, "kind": "model", "x": Infinity}'}})), ["Infinity is not a JSON value"]),
    "shape beyond int64": (lambda p: raw_file(p, json.dumps({"w": {"dtype": "F32", "shape": [2**64, 1],
                                                                   "data_offsets": [0, 4]}}), b"\0" * 4),
                           ["entry for tensor 'w' is malformed"]),
    "shape product beyond int64": (lambda p: raw_file(p, json.dumps({"w": {"dtype": "F32", "shape": [2**40, 2**40],
                                                                           "data_offsets": [0, 4]}}), b"\0" * 4),
                                   ["needs 4835703278458516698824704 bytes"]),
    "kind is a number": (lambda p: crafted(p, kind=5), ["its kind is a whole number, not a string"]),
    "unknown kind": (lambda p: crafted(p, kind="virus"), ["its kind 'virus' is not one of"]),
    "architecture is a list": (lambda p: crafted(p, architecture=[linear(3, 2)]),
                               ["its architecture is a list, not an object"]),
    "dtype float128": (lambda p: crafted(p, dtype="float128"), ["its dtype 'float128' is not one of"]),
    "training is a string": (lambda p: crafted(p, training="yes"), ["its training is a string, not true or false"]),
    "in_features is a string": (lambda p: crafted(p, {"type": "Sequential", "children": [
        {"type": "Linear", "args": {"in_features": "3", "out_features": 2}}]}), ["in_features = '3' is not allowed"]),
    "in_features beyond int64": (lambda p: crafted(p, {"type": "Sequential", "children": [linear(2**70, 2)]}),
                                 ["in_features = 1180591620717411303424 is not allowed"]),
    "in_features true": (lambda p: crafted(p, {"type": "Sequential", "children": [linear(True, 2)]}),
                         ["in_features = True is not allowed"]),
    "Softmax dim 99": (lambda p: crafted(p, {"type": "Sequential", "children": [
        linear(3, 2), {"type": "Softmax", "args": {"dim": 99}}]}), ["Softmax.dim = 99 is not allowed", "-64 to 63"]),
    "Dropout p 2": (lambda p: crafted(p, {"type": "Sequential", "children": [
        linear(3, 2), {"type": "Dropout", "args": {"p": 2.0}}]}), ["Dropout.p = 2.0 is not allowed"]),
    "GELU approximate 'exact'": (lambda p: crafted(p, {"type": "Sequential", "children": [
        linear(3, 2), {"type": "GELU", "args": {"approximate": "exact"}}]}), ["'none' or 'tanh'"]),
    "unknown argument": (lambda p: crafted(p, {"type": "Sequential", "children": [
        {"type": "ReLU", "args": {"cmd": "rm"}}, linear(3, 2)]}), ["ReLU takes only the arguments"]),
    "Linear without in_features": (lambda p: crafted(p, {"type": "Sequential", "children": [
        {"type": "Linear", "args": {"out_features": 2}}]}), ["Linear needs the argument 'in_features'"]),
    "unknown layer": (lambda p: crafted(p, {"type": "Sequential", "children": [{"type": "os.system"}]}),
                      ["unknown layer type 'os.system'"]),
    "children is an object": (lambda p: crafted(p, {"type": "Sequential", "children": {"0": linear(3, 2)}}),
                              ["Sequential needs a list of children"]),
    "weights of the wrong shape": (lambda p: crafted(p, {"type": "Sequential", "children": [linear(2, 3)]}),
                                   ["0.weight has shape (2, 3) but the architecture needs (3, 2)"]),
    "checkpoint epoch -1": (lambda p: crafted(p, kind="checkpoint", epoch=-1), ["its epoch -1 is not"]),
    "checkpoint epoch a string": (lambda p: crafted(p, kind="checkpoint", epoch="3"), ["its epoch is a string"]),
    "packed tensor missing": (lambda p: crafted(p, metadata={"__tensor__": "metadata/9"}), ["missing tensor"]),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_refused_in_one_line(tmp_path, backend, case) -> None:
    make, expected = MALFORMED[case]
    path = make(tmp_path / "bad.safetensors")
    with pytest.raises(ModelFileError) as error:
        cr.load(path)
    message = str(error.value)
    assert message.startswith(path) and "\n" not in message
    for words in expected:
        assert words in message, (case, message)


def test_every_registered_argument_has_a_check() -> None:
    assert {name for entry in REGISTRY.values() for name in entry.arguments} <= set(ARGUMENTS)


# Class 2: a tiny file claiming a huge network fails before allocating it.
HUGE = {
    "one Linear(100000, 100000)": {"type": "Sequential", "children": [linear(100_000, 100_000)]},
    "huge layer after a real one": {"type": "Sequential", "children": [linear(3, 2), linear(2, 10**9)]},
    "huge nested layer": {"type": "Sequential", "children": [linear(3, 2), {"type": "Sequential", "children": [
        linear(2, 50_000), linear(50_000, 50_000)]}]},
}


@pytest.mark.parametrize("case", list(HUGE))
def test_a_tiny_file_claiming_a_huge_layer_allocates_nothing(tmp_path, backend, case) -> None:
    path = crafted(tmp_path / "huge.safetensors", HUGE[case])
    assert os.path.getsize(path) < 12_000
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="claims .* parameters that its weights do not hold"):
            cr.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, peak   # a layer of the claimed size would need gigabytes


def load_in_thread(path: str) -> BaseException | None:
    """cr.load(path) in a thread that must end within seconds (a FIFO read would block forever)."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            cr.load(path)
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome.append(error)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), f"cr.load({path!r}) blocked"
    return outcome[0]


def test_paths_that_are_not_regular_files_are_refused_without_blocking(tmp_path) -> None:
    fifo = tmp_path / "pipe.safetensors"
    os.mkfifo(fifo)
    cases = {str(fifo): "is a FIFO (named pipe), not a model file",
             "/dev/zero": "is a character device, not a model file",
             "/dev/urandom": "is a character device, not a model file",
             "/dev/null": "is a character device, not a model file",
             str(tmp_path): "is a directory, not a model file"}
    for path, words in cases.items():
        error = load_in_thread(path)
        assert isinstance(error, ModelFileError) and words in str(error), (path, error)


def test_a_file_bigger_than_a_model_file_is_refused_without_reading_it(tmp_path) -> None:
    path = tmp_path / "big.safetensors"
    with open(path, "wb") as handle:
        handle.truncate(fmt.MODEL_FILE_LIMIT + 1)   # sparse: no disk used, no byte read
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"is 4.0 GiB, more than the 4.0 GiB"):
            cr.load(path)
        assert tracemalloc.get_traced_memory()[1] < 1_000_000
    finally:
        tracemalloc.stop()
