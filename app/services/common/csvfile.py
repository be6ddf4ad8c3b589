"""Reading small uploaded CSV files safely: size limit, encoding, header names and row numbers."""

from __future__ import annotations

import csv
import io

from app.services.common.errors import InvalidInput

MAX_CSV_BYTES = 512 * 1024
MAX_CSV_ROWS = 5000


class RowErrors(InvalidInput):
    """Some rows are wrong; nothing was saved. `errors` holds (row number, message) pairs."""

    def __init__(self, errors: list[tuple[int, str]], field: str = "file") -> None:
        count = len(errors)
        super().__init__(f"{count} {'row has a problem' if count == 1 else 'rows have problems'}, so nothing was "
                         "imported. Correct them and try again.", field=field)
        self.errors = errors


def decode(data: bytes | str, *, field: str = "file") -> str:
    """Text of an upload, refusing anything too large or not UTF-8."""
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput(f"The file must be smaller than {MAX_CSV_BYTES // 1024} KB", field=field)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file must be a CSV file saved as UTF-8", field=field) from None
    if "\x00" in text:  # UTF-16 ("Unicode text" from Excel) or a binary file; PostgreSQL cannot store NUL either
        raise InvalidInput("The file must be a CSV file saved as UTF-8", field=field)
    if not text.strip():
        raise InvalidInput("The file is empty", field=field)
    return text


def read_rows(text: str, columns: dict[str, tuple[str, ...]], *, field: str = "file") -> list[tuple[int, dict[str, str]]]:
    """(row number, values) per data row; `columns` maps each name to the headers accepted for it.

    Row numbers count the header as row 1, as a spreadsheet does.
    """
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise InvalidInput("The file has no header row", field=field) from None
    normal = [h.strip().lower().replace("_", " ") for h in header]
    positions: dict[str, int] = {}
    for name, accepted in columns.items():
        found = next((i for i, h in enumerate(normal) if h in accepted), None)
        if found is None:
            raise InvalidInput(f"The header row must include a column called {accepted[0]!r}", field=field)
        positions[name] = found
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(rows) >= MAX_CSV_ROWS:
                raise InvalidInput(f"The file can have at most {MAX_CSV_ROWS:,} rows", field=field)
            rows.append((number, {name: (raw[i].strip() if i < len(raw) else "") for name, i in positions.items()}))
    except csv.Error:
        raise InvalidInput("The file is not a valid CSV file", field=field) from None
    if not rows:
        raise InvalidInput("The file has a header row but no data rows", field=field)
    return rows
