"""The one kind of error the command reports: a message for the user, never a traceback."""

from __future__ import annotations


class CommandError(Exception):
    """A problem with what the user asked for (a file, a column, a flag), with how to fix it.

    ``main`` prints it as ``chainrule: error: <message>`` (and the hint on a second line) and exits
    with ``exit_code``.
    """

    def __init__(self, message: str, hint: str | None = None, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code

    def lines(self) -> list[str]:
        """The one or two lines printed on stderr."""
        from chainrule.cli.terminal import printable  # file contents may be quoted: never raw control codes

        lines = [f"chainrule: error: {printable(self.message)}"]
        if self.hint:
            lines.append(f"chainrule: error: {printable(self.hint)}")
        return lines
