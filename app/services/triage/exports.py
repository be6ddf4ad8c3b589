"""Exports for the board and the executive: CSV and XLSX of themes and their ideas, and report data.

No author tags, nonces or exact times leave here (ideas carry the month they were posted at most). CSV
text that a spreadsheet could run as a formula gets an apostrophe; XLSX text cells are typed as text.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from openpyxl import Workbook

from app.extensions import db
from app.models import ContentStatus, Conversation, Idea, Question, ThemeAssignment, ThemeStatus, Vote
from app.services.access import get_led_conversation
from app.services.triage.board import BoardCard, build_cards

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
THEME_COLUMNS = ["Theme", "Status", "Reason (if not taking forward)", "Owner", "Due", "Ideas", "Support",
                 "People supporting", "Priority score", "Impact (1-5)", "Effort (1-5)", "Actions", "Outcome"]
IDEA_COLUMNS = ["Theme", "Question", "Idea", "Support", "Month posted"]


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would treat as a formula with an apostrophe (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@dataclass
class ExportData:
    conversation: Conversation
    cards: list[BoardCard]
    themes: list[list[object]]
    ideas: list[list[object]]


def _people(card: BoardCard) -> object:
    return card.breadth.voters if card.breadth.shown else f"fewer than {card.breadth.k}"


def export_data(lead_orgs: frozenset[int], conversation_id: int) -> ExportData:
    """Rows for the theme and idea sheets of a conversation the person leads."""
    conversation = get_led_conversation(lead_orgs, conversation_id)
    cards = build_cards(conversation, _run(conversation)) if conversation.current_theme_run_id else []
    cards.sort(key=lambda c: (-c.score.total, c.theme.id))
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
                       _people(card), card.score.total, plan.impact or "", plan.effort or "", actions, outcome])
    labels = {c.theme.id: c.snapshot.label for c in cards}
    ideas: list[list[object]] = []
    if conversation.current_theme_run_id:
        support = dict(db.session.execute(sa.select(Vote.idea_id, sa.func.count()).where(
            Vote.conversation_id == conversation.id, Vote.value == 1).group_by(Vote.idea_id)).all())
        rows = db.session.execute(
            sa.select(ThemeAssignment.theme_id, Question.text, Idea.id, Idea.body, Idea.created_hour)
            .join(Idea, Idea.id == ThemeAssignment.idea_id).join(Question, Question.id == Idea.question_id)
            # A withdrawn idea's text is gone; an empty row would still mark the author's choice.
            .where(ThemeAssignment.run_id == conversation.current_theme_run_id, Idea.status != ContentStatus.WITHDRAWN)
            .order_by(ThemeAssignment.theme_id, Idea.body)).all()
        for theme_id, question, idea_id, body, hour in rows:
            ideas.append([labels.get(theme_id, "Unthemed"), question, body, support.get(idea_id, 0), hour.strftime("%Y-%m")])
        ideas.sort(key=lambda r: (r[0] == "Unthemed", str(r[0]), str(r[2])))
    return ExportData(conversation, cards, themes, ideas)


def _run(conversation: Conversation):  # type: ignore[no-untyped-def]
    from app.models import ThemeRun

    return db.session.get(ThemeRun, conversation.current_theme_run_id)


def to_csv(columns: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def to_xlsx(data: ExportData) -> bytes:
    """A workbook with a Themes sheet and an Ideas sheet; every text cell stored as text, exactly as written.

    A cell typed as text is never evaluated, so the CSV apostrophe guard is not needed here (and Excel would
    show it as a literal character).
    """
    book = Workbook()
    sheets = [("Themes", THEME_COLUMNS, data.themes), ("Ideas", IDEA_COLUMNS, data.ideas)]
    first = True
    for title, columns, rows in sheets:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = title
        sheet.append(columns)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
