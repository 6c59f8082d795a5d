"""Text from files (column names, class labels, metadata) shown on a terminal, made harmless.

A CSV header or a model file may hold control characters: an escape sequence (``\\x1b[2J`` clears the
screen, others retitle the window or rewrite what was printed), a carriage return that hides the start
of a line, or a Unicode direction override that shows text backwards. Printed raw they would act on the
terminal; :func:`printable` shows them as escapes instead (``\\x1b``, ``\\u202e``), the way ``repr`` does.
"""

from __future__ import annotations

import unicodedata

KEPT = "\n\t"  # line structure that chainrule's own messages use


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every control, format or separator character other than newline and tab escaped.

    >>> printable("ok\\x1b[2Jgone")
    'ok\\\\x1b[2Jgone'
    """
    if text.isprintable():
        return text
    return "".join(character if character in KEPT or unicodedata.category(character) not in
                   ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") else _escaped(character) for character in text)
