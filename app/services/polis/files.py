"""Reading a Pol.is export (comments.csv, votes.csv and/or participants-votes.csv, summary.csv) strictly.

Every file is checked before anything is written: wrong columns, unknown statement ids, values out of range, a
formula in a text cell or files that are too large are refused with the file, row and reason. Nothing here touches
the database; the result lives in memory only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field

from app.services.common.errors import InvalidInput

# Generous for real exports (the largest open Pol.is conversation is under 5 MB without stats-history.csv).
MAX_TOTAL_BYTES = 100 * 1024 * 1024
MAX_STATEMENTS = 10_000
MAX_PARTICIPANTS = 100_000
MAX_BODY = 2000
KNOWN = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
ERRORS_SHOWN = 20
# A cell a spreadsheet would run: "=...", "@...", a leading tab or carriage return, or "+"/"-" before a letter or "(".
FORMULA = re.compile(r"^(?:[=@\t\r]|[+-][^\s\d.])")


class PolisFileErrors(InvalidInput):
    """Some files or rows are wrong; nothing was imported. `errors` lists "file row n: reason" messages."""

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:ERRORS_SHOWN]
        more = len(errors) - len(shown)
        super().__init__(f"The Pol.is files have {len(errors)} {'problem' if len(errors) == 1 else 'problems'}, so "
                         "nothing was imported. Correct them and try again.", field="files")
        self.errors = shown + ([f"… and {more} more"] if more > 0 else [])


@dataclass(frozen=True)
class Statement:
    polis_id: int
    body: str
    shown: bool  # moderated 1 or 0 in Pol.is; -1 (moderated out) is imported hidden


@dataclass
class PolisExport:
    """A checked export: statements, the latest vote per (participant, statement) and the source's summary."""

    digest: str
    topic: str
    description: str
    url: str
    statements: list[Statement]
    votes: dict[tuple[int, int], int]  # (Pol.is participant, Pol.is statement id) -> +1, -1 or 0
    source_groups: int | None
    # Pol.is's own opinion group per participant (participants-votes.csv): memory only, for comparing groups.
    polis_group_of: dict[int, int] = field(default_factory=dict)

    @property
    def participants(self) -> int:
        return len({p for p, _ in self.votes})

    def counts(self) -> dict[str, object]:
        return {"topic": self.topic, "url": self.url, "statements": len(self.statements),
                "hidden_statements": sum(1 for s in self.statements if not s.shown),
                "participants": self.participants, "votes": len(self.votes), "source_groups": self.source_groups}


def files_from_zip(data: bytes) -> dict[str, bytes]:
    """The known export files inside a zip (in any folder); sizes are checked before anything is unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise InvalidInput("The zip file could not be opened. Upload the Pol.is export files or a zip of them.",
                           field="files") from None
    with archive:
        wanted = [info for info in archive.infolist() if info.filename.rsplit("/", 1)[-1].lower() in KNOWN]
        if sum(info.file_size for info in wanted) > MAX_TOTAL_BYTES:
            raise InvalidInput(_too_large(), field="files")
        try:
            return {info.filename.rsplit("/", 1)[-1].lower(): archive.read(info) for info in wanted}
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):
            raise InvalidInput("The zip file is damaged or encrypted.", field="files") from None


def _too_large() -> str:
    return f"The Pol.is files must be smaller than {MAX_TOTAL_BYTES // (1024 * 1024)} MB in total."


def digest_of(files: dict[str, bytes]) -> str:
    """The same export files give the same digest, whatever their order or whether they came zipped."""
    outer = hashlib.sha256()
    for name in sorted(n for n in files if n in KNOWN):
        outer.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return outer.hexdigest()


def _rows(name: str, data: bytes, errors: list[str], lower: bool = True) -> tuple[list[str], list[list[str]]] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(f"{name}: the file is not saved as UTF-8 text")
        return None
    if "\x00" in text:
        errors.append(f"{name}: the file is not a CSV file")
        return None
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        errors.append(f"{name}: the file is not a valid CSV file")
        return None
    if not rows:
        errors.append(f"{name}: the file is empty")
        return None
    return [h.strip().lower() if lower else h for h in rows[0]], rows[1:]


def _columns(name: str, header: list[str], needed: tuple[str, ...], errors: list[str]) -> dict[str, int] | None:
    missing = [c for c in needed if c not in header]
    if missing:
        errors.append(f"{name}: the header row must include the {'column' if len(missing) == 1 else 'columns'} "
                      + ", ".join(repr(c) for c in missing) + " (is this a Pol.is export file?)")
        return None
    return {c: header.index(c) for c in needed}


def _int(value: str, allowed: tuple[int, ...] | None = None) -> int | None:
    """A whole number of at most 9 digits (no "+", "_" or spaces inside, which int() would accept), or None."""
    value = value.strip()
    digits = value[1:] if value.startswith("-") else value
    if not (0 < len(digits) <= 9 and digits.isascii() and digits.isdigit()):
        return None
    number = int(value)
    return number if allowed is None or number in allowed else None


def _blank(row: list[str]) -> bool:
    return not row or (len(row) == 1 and not row[0].strip()) or not any(cell.strip() for cell in row)


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _statements(data: bytes, errors: list[str]) -> list[Statement]:
    read = _rows("comments.csv", data, errors)
    if read is None:
        return []
    header, rows = read
    cols = _columns("comments.csv", header, ("comment-id", "moderated", "comment-body"), errors)
    if cols is None:
        return []
    found: dict[int, Statement] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"comments.csv row {number}"
        polis_id, moderated = _int(_cell(row, cols["comment-id"])), _int(_cell(row, cols["moderated"]), (-1, 0, 1))
        body = _cell(row, cols["comment-body"]).strip()
        if polis_id is None or polis_id < 0:
            errors.append(f"{where}: the comment-id must be a whole number of 0 or more")
        elif polis_id in found:
            errors.append(f"{where}: comment-id {polis_id} appears twice")
        if moderated is None:
            errors.append(f"{where}: moderated must be 1, 0 or -1")
        if not body:
            errors.append(f"{where}: the comment-body is empty")
        elif len(body) > MAX_BODY:
            errors.append(f"{where}: the comment-body is longer than {MAX_BODY:,} characters")
        elif FORMULA.match(body):
            errors.append(f"{where}: the comment-body starts like a spreadsheet formula ({body[:12]!r}); "
                          "remove the formula and try again")
        if polis_id is not None and polis_id >= 0 and polis_id not in found and moderated is not None and body:
            found[polis_id] = Statement(polis_id, body, moderated != -1)
    if not found and not errors:
        errors.append("comments.csv: the file has a header row but no statements")
    if len(found) > MAX_STATEMENTS:
        errors.append(f"comments.csv: at most {MAX_STATEMENTS:,} statements can be imported")
    return sorted(found.values(), key=lambda s: s.polis_id)


def _votes_log(data: bytes, known: set[int], errors: list[str]) -> dict[tuple[int, int], int]:
    read = _rows("votes.csv", data, errors)
    if read is None:
        return {}
    header, rows = read
    cols = _columns("votes.csv", header, ("comment-id", "voter-id", "vote"), errors)
    if cols is None:
        return {}
    stamp = header.index("timestamp") if "timestamp" in header else None
    events: list[tuple[int, int, int, int, int]] = []
    for number, row in enumerate(rows, start=2):
        if len(row) < 3 and _blank(row):
            continue
        where = f"votes.csv row {number}"
        statement, voter = _int(_cell(row, cols["comment-id"])), _int(_cell(row, cols["voter-id"]))
        vote = _int(_cell(row, cols["vote"]), (-1, 0, 1))
        raw_when = _cell(row, stamp).strip() if stamp is not None else ""
        when = int(raw_when) if raw_when.isascii() and raw_when.isdigit() and len(raw_when) <= 18 else \
            (0 if not raw_when else None)
        if statement is None or voter is None or voter < 0 or vote is None or when is None:
            errors.append(f"{where}: comment-id and voter-id must be whole numbers and vote 1, -1 or 0")
        elif statement not in known:
            errors.append(f"{where}: statement {statement} is not in comments.csv")
        else:
            events.append((when, number, voter, statement, vote))
    events.sort()  # the later vote wins: by timestamp, then by row
    return {(voter, statement): vote for _, _, voter, statement, vote in events}


def _votes_matrix(data: bytes, known: set[int], errors: list[str],
                  keep_votes: bool) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    read = _rows("participants-votes.csv", data, errors)
    if read is None:
        return {}, {}
    header, rows = read
    cols = _columns("participants-votes.csv", header, ("participant", "group-id"), errors)
    if cols is None:
        return {}, {}
    statement_cols: list[tuple[int, int]] = []
    for index, name in enumerate(header):
        if re.fullmatch(r"\d{1,9}", name):
            if int(name) not in known:
                errors.append(f"participants-votes.csv: the column for statement {name} has no row in comments.csv")
            else:
                statement_cols.append((index, int(name)))
    votes: dict[tuple[int, int], int] = {}
    groups: dict[int, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"participants-votes.csv row {number}"
        participant = _int(_cell(row, cols["participant"]))
        if participant is None or participant < 0:
            errors.append(f"{where}: the participant must be a whole number of 0 or more")
            continue
        group = _cell(row, cols["group-id"]).strip()
        if group:
            if _int(group) is None:
                errors.append(f"{where}: the group-id must be a whole number or empty")
            else:
                groups[participant] = int(group)
        if not keep_votes:
            continue
        for index, statement in statement_cols:
            value = _cell(row, index).strip()
            if not value:
                continue
            vote = _int(value, (-1, 0, 1))
            if vote is None:
                errors.append(f"{where}: the vote on statement {statement} must be 1, -1, 0 or empty")
            else:
                votes[(participant, statement)] = vote
    return votes, groups


def _summary(data: bytes | None, errors: list[str]) -> dict[str, str]:
    if data is None:
        return {}
    read = _rows("summary.csv", data, errors, lower=False)
    if read is None:
        return {}
    header, rows = read
    values: dict[str, str] = {}
    for number, row in enumerate([header] + rows, start=1):  # summary.csv has no header row: every row is key,value
        if len(row) >= 2 and row[0].strip():
            value = row[1].strip()
            if FORMULA.match(value) and row[0].strip().lower() in ("topic", "url", "conversation-description"):
                errors.append(f"summary.csv row {number}: the {row[0].strip().lower()} starts like a spreadsheet "
                              "formula; remove the formula and try again")
            values[row[0].strip().lower()] = value
    return values


def read_export(files: dict[str, bytes]) -> PolisExport:
    """Check every file and return the export, or raise PolisFileErrors / InvalidInput listing every problem."""
    files = {name.lower(): data for name, data in files.items()}
    if sum(len(data) for name, data in files.items() if name in KNOWN) > MAX_TOTAL_BYTES:
        raise InvalidInput(_too_large(), field="files")
    if "comments.csv" not in files or not ({"votes.csv", "participants-votes.csv"} & files.keys()):
        raise InvalidInput("Upload comments.csv and votes.csv (or participants-votes.csv) from the Pol.is export, "
                           "or a zip with them.", field="files")
    errors: list[str] = []
    statements = _statements(files["comments.csv"], errors)
    known = {s.polis_id for s in statements}
    votes: dict[tuple[int, int], int] = {}
    if "votes.csv" in files:
        votes = _votes_log(files["votes.csv"], known, errors)
    groups: dict[int, int] = {}
    if "participants-votes.csv" in files:
        matrix_votes, groups = _votes_matrix(files["participants-votes.csv"], known, errors,
                                             keep_votes="votes.csv" not in files)
        votes = votes or matrix_votes
    summary = _summary(files.get("summary.csv"), errors)
    if len({p for p, _ in votes}) > MAX_PARTICIPANTS:
        errors.append(f"The export has more than {MAX_PARTICIPANTS:,} participants, more than Chorus imports")
    if errors:
        raise PolisFileErrors(errors)
    source_groups = _int(summary.get("groups", ""))
    return PolisExport(digest=digest_of(files), topic=summary.get("topic", "")[:160],
                       description=summary.get("conversation-description", ""), url=summary.get("url", "")[:300],
                       statements=statements, votes=votes, source_groups=source_groups, polis_group_of=groups)
