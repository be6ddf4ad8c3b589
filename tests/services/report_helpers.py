"""Reading a board report .docx back (python-docx), what it must never hold, and a conversation with one theme."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import docx
import sqlalchemy as sa

from app.extensions import db
from app.models import Idea, Theme, ThemeAssignment, ThemeRun, ThemeSnapshot, Vote
from app.services.content import ideas

CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
HEX_TAG = re.compile(r"\b[0-9a-f]{32,}\b")


@dataclass
class ReadDocx:
    headings: list[str]
    text: str  # every paragraph and table cell
    tables: list[list[list[str]]]
    alt_texts: list[str]
    xml: str  # every part of the package, for what no renderer shows (properties, relationships)


def read_docx(data: bytes) -> ReadDocx:
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name is not None
                and (p.style.name.startswith("Heading") or p.style.name == "Title")]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    text = "\n".join([p.text for p in document.paragraphs] + [c for t in tables for r in t for c in r])
    alts = [shape._inline.docPr.get("descr") or "" for shape in document.inline_shapes]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        xml = "\n".join(package.read(name).decode("utf-8", "replace") for name in package.namelist()
                        if name.endswith((".xml", ".rels")))
    return ReadDocx(headings, text, tables, alts, xml)


def leaked(read: ReadDocx) -> list[str]:
    """Author tags, nonces, voter pseudonyms, idea ids or times of day found anywhere in the package (none expected)."""
    secrets = set(db.session.scalars(sa.select(Idea.author_tag))) | set(db.session.scalars(sa.select(Idea.nonce)))
    secrets |= set(db.session.scalars(sa.select(Vote.voter))) | set(db.session.scalars(sa.select(Idea.id)))
    found = [s for s in secrets if s and s in read.xml]
    found += CLOCK.findall(read.text) + HEX_TAG.findall(read.text)
    stamps = [s.split("</")[0] for s in read.xml.split("<dcterms:")[1:]]
    return found + [s for s in stamps if "T00:00:00" not in s]


def table_with(read: ReadDocx, heading: str) -> list[list[str]]:
    """The first table whose header row starts with `heading`."""
    return next(t for t in read.tables if t and t[0] and t[0][0] == heading)


def one_theme(conversation, people, texts: list[str], label: str = "Parking for night staff") -> Theme:
    """A finished run with one theme holding every idea posted here (its first two as quotes)."""
    posted = [ideas.post_idea(people[n % len(people)], conversation.questions[0].id, text, allow_identifying=True)[0]
              for n, text in enumerate(texts)]
    run = ThemeRun(conversation_id=conversation.id, status="done", idea_count=len(posted))
    theme = Theme(conversation_id=conversation.id, label=label)
    db.session.add_all([run, theme])
    db.session.flush()
    db.session.add(ThemeSnapshot(run_id=run.id, theme_id=theme.id, label=label, size=len(posted),
                                 quote_ids=[i.id for i in posted[:2]], sentiment=-0.4))
    db.session.add_all([ThemeAssignment(run_id=run.id, idea_id=i.id, theme_id=theme.id) for i in posted])
    conversation.current_theme_run_id = run.id
    db.session.commit()
    return theme
