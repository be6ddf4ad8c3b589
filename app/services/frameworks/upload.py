"""A trust's own framework from a CSV file (header name,description,examples; examples separated by " | ").

All or nothing: any problem (missing column, duplicate or empty name, a cell a spreadsheet would run as a formula,
an over-long cell, too many rows, not UTF-8) is reported with its row number and nothing is written. Reading
stops at the first row past the limit, so a 10,000-row file is refused without being read through.
"""

from __future__ import annotations

import csv
import io

from app.models import Framework
from app.services.common.csvfile import RowErrors, decode
from app.services.common.errors import InvalidInput
from app.services.frameworks.catalogue import (
    DESCRIPTION_MAX,
    EXAMPLES_MAX,
    MAX_ELEMENTS,
    NAME_MAX,
    ElementInput,
    create_framework,
)

COLUMNS = ("name", "description", "examples")
# A cell starting with one of these runs as a formula when the file is opened in a spreadsheet again (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIMITS = {"name": NAME_MAX, "description": DESCRIPTION_MAX, "examples": EXAMPLES_MAX}


def read_framework_csv(data: bytes | str) -> list[ElementInput]:
    """The elements of a framework CSV, in file order; InvalidInput or RowErrors (nothing read is kept)."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise InvalidInput("The file has no header row", field="file") from None
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput("The header row must be name,description,examples: the file has no "
                           + " or ".join(f"{c!r}" for c in missing) + " column", field="file")
    where = {c: header.index(c) for c in COLUMNS}
    elements: list[ElementInput] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(elements) + len(errors) >= MAX_ELEMENTS:
                raise InvalidInput(f"A framework can have at most {MAX_ELEMENTS} elements (rows); this file has more",
                                   field="file")
            cells = {c: raw[i] if i < len(raw) else "" for c, i in where.items()}
            problem = _row_problem(cells, seen, number)
            if problem:
                errors.append((number, problem))
                continue
            name = " ".join(cells["name"].split())
            seen[name.casefold()] = number
            elements.append(ElementInput(name, cells["description"].strip(),
                                         [e.strip() for e in cells["examples"].split("|") if e.strip()]))
    except csv.Error:
        raise InvalidInput("The file is not a valid CSV file", field="file") from None
    if errors:
        raise RowErrors(errors)
    if not elements:
        raise InvalidInput("The file has a header row but no elements", field="file")
    return elements


def _row_problem(cells: dict[str, str], seen: dict[str, int], number: int) -> str | None:
    for column, value in cells.items():
        if value.startswith(FORMULA_STARTS):
            return (f"The {column} starts with {value[0]!r}, which a spreadsheet would run as a formula. "
                    "Remove that character.")
        if len(value.strip()) > LIMITS[column]:
            return f"The {column} is longer than {LIMITS[column]:,} characters"
    name = " ".join(cells["name"].split())
    if not name:
        return "The name is empty"
    if name.casefold() in seen:
        return f"The name {name!r} is already used in row {seen[name.casefold()]}"
    return None


def import_framework(organisation_id: int, name: str, description: str, data: bytes | str) -> Framework:
    """Create an organisation's framework from a CSV file; nothing is written if the file has any problem."""
    return create_framework(organisation_id, name, description, read_framework_csv(data))
