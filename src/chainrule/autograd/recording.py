"""The one switch that ``cr.compile`` (``chainrule.compiler``) turns on while it traces a step.

``tape`` is ``None`` in eager code; while a compiled function runs its first calls, it is the tracer,
and the few places that compute arrays outside the graph's forward pass (``Function.apply``, the
backward walk, the optimiser's ``step``/``zero_grad``, gradient clipping, schedulers) hand their work
to it so that it can be recorded and replayed. Each of those places checks ``tape is not None`` and
nothing else: eager code pays one attribute read.
"""

from __future__ import annotations

from typing import Any

tape: Any = None
