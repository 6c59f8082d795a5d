"""The shape of a chainrule file's JSON document, checked whole when the file is read.

A checksum only tells that bytes changed by accident: anyone can write a file with a correct checksum
and a document of the wrong types. So every field a loader relies on is checked here, once, before
anything is built from it; a wrong one is refused in one line naming the field, what it holds and what
is allowed. (The architecture's layers and their arguments are checked by
:func:`chainrule.io.architecture.parameter_shapes` against the weights the file holds; packed values
by :func:`chainrule.io.packing.unpack`.)
"""

from __future__ import annotations

from typing import Any

KINDS = ("model", "checkpoint", "state_dict", "object")
DTYPES = ("float64", "float32", "float16")
# field -> (the JSON type it must have, in words); a field that is absent is left to its reader's default.
FIELDS: dict[str, tuple[type, str]] = {
    "kind": (str, "a string"), "version": (str, "a string"), "checksum": (str, "a string"),
    "dtype": (str, "a string"), "training": (bool, "true or false"), "architecture": (dict, "an object"),
    "epoch": (int, "a whole number"),
}


def document_problem(document: dict[str, Any]) -> str | None:
    """What is wrong with a chainrule document, in words (None when nothing is)."""
    for key, (kind, words) in FIELDS.items():
        if key in document and (type(document[key]) is not kind):
            return f"its {key} is {_json_type(document[key])}, not {words}"
    if document.get("kind") not in KINDS:
        return f"its kind {document.get('kind')!r:.40} is not one of {', '.join(KINDS)}"
    if "dtype" in document and document["dtype"] not in DTYPES:
        return f"its dtype {document['dtype']!r:.40} is not one of {', '.join(DTYPES)}"
    if document["kind"] in ("model", "checkpoint") and "architecture" not in document:
        return f"it is a {document['kind']} without an architecture"
    if document["kind"] == "checkpoint" and not (type(document.get("epoch")) is int and document["epoch"] >= 0):
        return f"its epoch {document.get('epoch')!r:.40} is not a non-negative whole number"
    return None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a whole number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
