"""Model files without pickle: ``cr.save``/``cr.load``, state dicts, training checkpoints.

Every file is a safetensors file: weights as raw little-endian tensors, the architecture and
everything else as JSON in its header. Loading reads data only; it never unpickles, evaluates or
imports anything from the file, so a file someone sends you cannot run code on your machine. Writes
are atomic (a crash leaves the old file), and a truncated, corrupted, foreign or pickled file is
refused with one line (:class:`ModelFileError`) naming the file and what is wrong with it.

>>> import chainrule as cr, tempfile, os
>>> model = cr.nn.Sequential(cr.nn.Linear(2, 8), cr.nn.Tanh(), cr.nn.Linear(8, 1))
>>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
>>> cr.save(model, path, metadata={"features": ["x1", "x2"]})
>>> cr.load(path)[0]
Linear(in_features=2, out_features=8, bias=True)

``cr.save(model.state_dict(), path)`` and ``model.load_state_dict(cr.load(path))`` work as in PyTorch, and
so does saving a dict of several states (``{"epoch": 3, "model": ..., "optimizer": ...}``).
"""

from chainrule.io.architecture import REGISTRY, ArchitectureError, build, describe
from chainrule.io.atomic import atomic_write_bytes
from chainrule.io.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from chainrule.io.model_file import (
    SavedModel,
    load_state_dict,
    read_file,
    read_model,
    save_model,
    save_state_dict,
)
from chainrule.io.safetensors_format import ModelFileError
from chainrule.io.saving import load, save

__all__ = [
    "REGISTRY", "ArchitectureError", "Checkpoint", "ModelFileError", "SavedModel", "atomic_write_bytes",
    "build", "describe", "load", "load_checkpoint", "load_state_dict", "read_file", "read_model", "save",
    "save_checkpoint", "save_model", "save_state_dict",
]
