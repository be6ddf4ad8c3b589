"""Exports for the board and the executive: CSV and XLSX of themes and their ideas, and report data.

No author tags, nonces or exact times leave here (ideas carry the month they were posted at most), and
CSV text that a spreadsheet could run as a formula gets an apostrophe; XLSX text cells are typed as text. Idea rows are read from the database in
batches and written as they come (CSV line by line, XLSX in openpyxl's write-only mode), so an export's time and
memory grow linearly with the conversation.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.cell.cell import ERROR_CODES

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea, Question, ThemeAssignment, ThemeRun, ThemeStatus, Vote
from app.services.access import get_led_conversation
from app.services.triage.board import BoardCard, build_cards

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
THEME_COLUMNS = ["Theme", "Status", "Reason (if not taking forward)", "Owner", "Due", "Ideas", "Support",
                 "People supporting", "Priority score", "Impact (1-5)", "Effort (1-5)", "Actions", "Outcome",
                 "Framework elements"]
IDEA_COLUMNS = ["Theme", "Question", "Idea", "Support", "Month posted", "Framework elements"]


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would treat as a formula with an apostrophe (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# Rows fetched per round trip while streaming ideas: bounded memory whatever the conversation's size.
BATCH = 2000
# Bytes per chunk when streaming a finished file; and an XLSX under this size never touches the disk.
CHUNK = 64 * 1024


class IdeaRows:
    """The idea sheet's rows, read from the database in batches each time they are iterated (never all in memory)."""

    def __init__(self, conversation: Conversation, labels: dict[int, str], elements: dict[str, str] | None = None) -> None:
        self.conversation = conversation
        self.labels = labels
        self.elements = elements or {}  # idea id -> its framework elements' names (app/services/frameworks/columns.py)

    def _where(self) -> sa.ColumnElement[bool]:
        # A withdrawn idea's text is gone; an empty row would still mark the author's choice.
        return sa.and_(ThemeAssignment.run_id == self.conversation.current_theme_run_id,
                       Idea.status != ContentStatus.WITHDRAWN)

    def __len__(self) -> int:
        if not self.conversation.current_theme_run_id:
            return 0
        return db.session.scalar(sa.select(sa.func.count()).select_from(ThemeAssignment)
                                 .join(Idea, Idea.id == ThemeAssignment.idea_id).where(self._where())) or 0

    def __iter__(self) -> Iterator[list[object]]:
        if not self.conversation.current_theme_run_id:
            return
        # Themes by label, unthemed last, ideas by text: the order the sheet always had, sorted by the database.
        ranks = {theme_id: rank for rank, (theme_id, _) in
                 enumerate(sorted(self.labels.items(), key=lambda item: (item[1], item[0])))}
        rank = sa.case(ranks, value=ThemeAssignment.theme_id, else_=len(ranks)) if ranks else sa.literal(0)
        support = (sa.select(Vote.idea_id, sa.func.count().label("n"))
                   .where(Vote.conversation_id == self.conversation.id, Vote.value == 1)
                   .group_by(Vote.idea_id).subquery())
        rows = db.session.execute(
            sa.select(ThemeAssignment.theme_id, Question.text, Idea.body, sa.func.coalesce(support.c.n, 0),
                      Idea.created_hour, Idea.id)
            .join(Idea, Idea.id == ThemeAssignment.idea_id).join(Question, Question.id == Idea.question_id)
            .outerjoin(support, support.c.idea_id == Idea.id)
            .where(self._where()).order_by(rank, Idea.body, Idea.id)
            .execution_options(yield_per=BATCH))
        for theme_id, question, body, votes, hour, idea_id in rows:
            yield [self.labels.get(theme_id, "Unthemed"), question, body, votes, hour.strftime("%Y-%m"),
                   self.elements.get(idea_id, "")]


@dataclass
class ExportData:
    conversation: Conversation
    cards: list[BoardCard]
    themes: list[list[object]]
    ideas: IdeaRows


def _people(card: BoardCard) -> object:
    return card.breadth.voters if card.breadth.shown else f"fewer than {card.breadth.k}"


def export_data(lead_orgs: frozenset[int], conversation_id: int) -> ExportData:
    """Rows for the theme and idea sheets of a conversation the person leads (idea rows are read when iterated)."""
    conversation = get_led_conversation(lead_orgs, conversation_id)
    run = _run(conversation)
    cards = build_cards(conversation, run) if run is not None else []
    cards.sort(key=lambda c: (-c.score.total, c.theme.id))
    from app.services.frameworks.columns import element_columns

    theme_elements, idea_elements = element_columns(conversation)
    themes = []
    for card in cards:
        plan = card.plan
        actions = "; ".join(
            f"{a.text}{' – ' + a.owner if a.owner else ''}{' – by ' + a.due_on.isoformat() if a.due_on else ''}"
            f"{' (done)' if a.done else ''}" for a in card.actions)
        outcome = f"{card.outcome.will_do} (by {card.outcome.by_whom})" if card.outcome else ""
        themes.append([card.snapshot.label, ThemeStatus(plan.status).label,
                       plan.public_reason if plan.status == ThemeStatus.NOT_TAKING_FORWARD else "",
                       plan.owner, plan.due_on.isoformat() if plan.due_on else "", card.snapshot.size, card.support,
                       _people(card), card.score.total, plan.impact or "", plan.effort or "", actions, outcome,
                       theme_elements.get(card.theme.id, "")])
    labels = {c.theme.id: c.snapshot.label for c in cards}
    return ExportData(conversation, cards, themes, IdeaRows(conversation, labels, idea_elements))


def _run(conversation: Conversation) -> ThemeRun | None:
    if conversation.current_theme_run_id is None:
        return None
    return db.session.get(ThemeRun, conversation.current_theme_run_id)


class _Lines:
    """A write target for csv.writer that hands back what was written since the last call."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def iter_csv(columns: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    """CSV text in chunks of about BATCH rows, every cell neutralised."""
    out = _Lines()
    writer = csv.writer(out)
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow([neutralise(v) for v in row])
        if n % BATCH == 0:
            yield out.take()
    yield out.take()


def to_csv(columns: list[str], rows: Iterable[list[object]]) -> str:
    """The whole CSV as one string (small exports and tests)."""
    return "".join(iter_csv(columns, rows))


def _text_cells(sheet: WriteOnlyWorksheet, row: list[object]) -> list[object]:
    """Text as typed, in cells typed as text: never a formula or an error code, and no apostrophe guard to show.

    The CSV guard (a leading apostrophe) is for CSV only: Excel shows it as a literal character in a text cell.
    """
    cells: list[object] = []
    for value in row:
        if isinstance(value, str) and (value in ERROR_CODES or value.startswith(FORMULA_START)):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # "=1+1" or "#N/A" typed by someone is their text, not a formula or an error
            value = cell
        cells.append(value)
    return cells


def write_xlsx(data: ExportData, target: IO[bytes]) -> None:
    """A workbook with a Themes sheet and an Ideas sheet, written row by row (openpyxl write-only mode)."""
    book = Workbook(write_only=True)
    sheets: list[tuple[str, list[str], Iterable[list[object]]]] = [
        ("Themes", THEME_COLUMNS, data.themes), ("Ideas", IDEA_COLUMNS, data.ideas)]
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append(_text_cells(sheet, list(columns)))
        for row in rows:
            sheet.append(_text_cells(sheet, row))
    book.save(target)


def iter_xlsx(data: ExportData) -> Iterator[bytes]:
    """The workbook in chunks: built in a temporary file (an XLSX is a zip, finished only at the end), then read out."""
    with tempfile.SpooledTemporaryFile(max_size=CHUNK * 16) as spool:
        write_xlsx(data, spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def to_xlsx(data: ExportData) -> bytes:
    """The whole workbook as bytes (small exports and tests)."""
    out = io.BytesIO()
    write_xlsx(data, out)
    return out.getvalue()
