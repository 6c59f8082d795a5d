"""``cr.compile``: record a training step or an inference pass once, then replay its array work.

``api`` holds what users call (``compile``, ``CompiledFunction``, ``CompiledModule``,
``CompileWarning``); ``trace`` records a call; ``replay`` compares two traces and generates the replay.
"""

from chainrule.compiler.api import CompiledFunction, CompiledModule, CompileWarning, compile

__all__ = ["CompileWarning", "CompiledFunction", "CompiledModule", "compile"]
