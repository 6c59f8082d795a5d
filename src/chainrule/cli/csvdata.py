"""Reading a user's CSV file into features and a target, with errors that say which cell is wrong.

The first row must name the columns. Every feature column must hold numbers; the target column may
hold numbers or class names (``yes``/``no``, ``setosa``/...). A missing value (an empty cell, ``NA``,
``nan``) is an error naming its line and column, never a silent NaN in the training data.

Cells are separated by commas; a file whose first line has tabs and no comma is read as tab-separated.
A file separated by semicolons (what spreadsheets write where the decimal point is a comma) is refused
with a hint, because its numbers (``1,5``) would not read as numbers anyway.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
from dataclasses import dataclass

import numpy as np

from chainrule.cli.errors import CommandError
from chainrule.io.files import CSV_FILE_LIMIT, FileRefused, read_regular_file

MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}


@dataclass
class Table:
    """A CSV file as named string columns (first line = header), plus where each row came from."""

    path: str
    columns: list[str]
    rows: list[list[str]]
    line_numbers: list[int]  # the file line of each row, for error messages

    def column(self, name: str) -> list[str]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def read_table(path: str) -> Table:
    """Read a CSV file with a header row; every row must have as many cells as the header."""
    if not os.path.exists(path):
        raise CommandError(f"data file {path!r} does not exist", "check the path given to --data")
    try:
        raw = read_regular_file(path, CSV_FILE_LIMIT)
        # UTF-8 (with or without a byte-order mark), or UTF-16 with its mark: what spreadsheets save as
        # "Unicode text" (tab-separated).
        text = raw.decode("utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig")
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator(text)))
    except UnicodeDecodeError:
        raise CommandError(f"data file {path!r} is not UTF-8 text (is it a CSV file?)",
                           "save it as CSV (UTF-8) and try again") from None
    except csv.Error as error:
        raise CommandError(f"data file {path!r} is not valid CSV: {error}") from None
    except FileRefused as refused:
        hint = "give --data the path of a .csv file" if refused.kind else "use a smaller file (or a sample of its rows)"
        raise CommandError(f"data file {path!r} {refused.explain('a CSV file')}", hint) from None
    except PermissionError:
        raise CommandError(f"cannot read data file {path!r}: permission denied",
                           "make it readable (e.g. chmod u+r) or copy it somewhere you can read") from None
    except OSError as error:
        raise CommandError(f"cannot read data file {path!r}: {error.strerror}") from None
    numbered = [(number, row) for number, row in enumerate(lines, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise CommandError(f"data file {path!r} is empty",
                           "it needs a header row of column names and at least one row of data")
    header = [name.strip() for name in numbered[0][1]]
    # Spreadsheets often end every line with a separator ("a,b,label,"): an unnamed, empty last column.
    while len(header) > 1 and not header[-1] and all(len(row) < len(header) or not row[len(header) - 1].strip()
                                                      for _, row in numbered[1:]):
        header.pop()
        numbered = [(number, row[:len(header)] if len(row) == len(header) + 1 else row) for number, row in numbered]
    if len(header) == 1 and ";" in header[0]:
        raise CommandError(f"{path!r} looks separated by ';' (its header is the one column {header[0]!r}); "
                           "chainrule reads comma-separated files",
                           "save it as comma-separated CSV with '.' as the decimal point (in a spreadsheet: "
                           "'CSV UTF-8 (comma delimited)')")
    if all(_is_number(name) for name in header):
        raise CommandError(f"the first row of {path!r} ({', '.join(header[:4])}...) looks like data, not column "
                           "names", "add a header row naming the columns, e.g. x1,x2,label")
    for index, name in enumerate(header):
        if not name:
            raise CommandError(f"column {index + 1} of {path!r} has no name in the header row",
                               "give every column a name in the first row")
        if header.index(name) != index:
            raise CommandError(f"column name {name!r} appears twice in the header of {path!r}",
                               "give every column a different name")
    rows = []
    for number, row in numbered[1:]:
        if len(row) != len(header):
            raise CommandError(f"{path}, line {number}: has {len(row)} values but the header has "
                               f"{len(header)} columns", "every row must have one value per column")
        rows.append([cell.strip() for cell in row])
    if not rows:
        raise CommandError(f"data file {path!r} has a header but no rows of data")
    return Table(path, header, rows, [number for number, _ in numbered[1:]])


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    """A cell for a CSV file that a spreadsheet will open: text starting like a formula (``=``, ``+``,
    ``-``, ``@``, tab, carriage return) gets a leading ``'`` so it stays text (OWASP's rule against CSV
    injection: ``=HYPERLINK(...)`` in a class name must not run). Numbers (``-1.5``) are left as they are.

    >>> spreadsheet_safe("=1+1"), spreadsheet_safe("-2.5"), spreadsheet_safe("setosa")
    ("'=1+1", '-2.5', 'setosa')
    """
    if cell.startswith(FORMULA_STARTS) and not _is_number(cell):
        return "'" + cell
    return cell


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV text (``\n`` line ends), every cell made :func:`spreadsheet_safe`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    return buffer.getvalue()


def separator(text: str) -> str:
    """``"\t"`` when the first non-blank line has tabs and no comma (a TSV file), else ``","``."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "\t" if "\t" in first and "," not in first else ","


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_missing(table: Table, name: str) -> None:
    """Refuse a column with a missing value, naming its line."""
    for row, cell in enumerate(table.column(name)):
        if cell.lower() in MISSING:
            raise CommandError(f"{table.path}, line {table.line_numbers[row]}, column {name!r}: missing value "
                               f"({cell!r})", "fill in or remove the rows with missing values")


def numeric_columns(table: Table, names: list[str], text_hint: str | None = None) -> np.ndarray:
    """The named columns as a float64 matrix (rows = samples), with the first bad cell named.

    ``text_hint`` is the advice given when a column holds no number at all (an id or a name column);
    ``{name}`` in it is replaced by the column's name.
    """
    for name in names:
        check_missing(table, name)
    indices = [table.columns.index(name) for name in names]
    strings = [[row[index] for index in indices] for row in table.rows]
    try:
        # NOTE: one vectorised conversion for the common, clean case; the loop below only runs to find
        # and name the first bad cell.
        values = np.array(strings, dtype=np.float64).reshape(len(strings), len(names))
    except ValueError:
        for row, cells in enumerate(strings):
            for name, cell in zip(names, cells, strict=True):
                if not _is_number(cell):
                    hint = "feature columns must be numeric (only the --target column may hold class names)"
                    if text_hint is not None and not any(_is_number(other) for other in table.column(name)):
                        hint = text_hint.format(name=name)
                    raise CommandError(
                        f"{table.path}, line {table.line_numbers[row]}, column {name!r}: {cell!r} is not a number",
                        hint) from None
        values = np.array([[float(cell) for cell in cells] for cells in strings], dtype=np.float64)
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        row, column = bad[0]
        raise CommandError(f"{table.path}, line {table.line_numbers[int(row)]}, column {names[column]!r}: "
                           f"{strings[row][column]!r} is not a finite number",
                           "replace infinite values with real measurements or remove the row")
    return values


def require_columns(table: Table, names: list[str], what: str) -> None:
    """Refuse when any of ``names`` is missing from the file, listing its columns."""
    missing = [name for name in names if name not in table.columns]
    if missing:
        lowered = {column.lower(): column for column in table.columns}
        guesses = [lowered.get(name.strip().lower()) or next(iter(difflib.get_close_matches(name, table.columns, 1)),
                                                               None) for name in missing]
        hint = ("did you mean " + ", ".join(repr(guess) for guess in guesses if guess) + "? (names are "
                "case-sensitive)") if any(guesses) else None
        raise CommandError(f"{what} {', '.join(repr(n) for n in missing)} not in {table.path!r}; its columns "
                           f"are: {', '.join(table.columns)}", hint)
