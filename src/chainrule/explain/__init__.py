"""See every number: one gradient-descent step recorded number by number, and hand-set networks.

* :func:`step` runs one forward pass, backward pass and update of a small network and returns a
  :class:`StepRecord` (each layer's ``z``, activation, error signal ``delta = dL/dz``, ``dL/dW = delta x^T``,
  the parameters before and after); print it, or show it as Markdown, HTML or LaTeX.
* :func:`neuron`, :func:`from_weights` and :func:`truth_table` type in the notes' hand-set weights
  (``w1 x1 + w2 x2 - w0``) and show what the network decides; :func:`notes_or`, :func:`notes_and`,
  :func:`notes_xor` and :func:`notes_threshold_xor` are the notes' own networks.

>>> import chainrule as cr
>>> cr.explain.truth_table(cr.explain.notes_xor()).decisions.tolist()
[0, 1, 1, 0]
"""

from chainrule.explain.handset import (
    ACTIVATIONS,
    TruthTable,
    from_weights,
    neuron,
    notes_and,
    notes_or,
    notes_threshold_xor,
    notes_xor,
    truth_table,
)
from chainrule.explain.record import LayerRecord, StepRecord, step

__all__ = [
    "ACTIVATIONS", "LayerRecord", "StepRecord", "TruthTable", "from_weights", "neuron", "notes_and",
    "notes_or", "notes_threshold_xor", "notes_xor", "step", "truth_table",
]
