"""Spot details that could identify someone (emails, phones, NHS numbers, names, roles, wards) before posting."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.people import find_people

__all__ = ["Span", "find_identifying_details", "valid_nhs_number", "REASONS"]

REASONS: dict[str, str] = {
    "email": "This looks like an email address",
    "phone": "This looks like a phone number",
    "nhs_number": "This looks like an NHS number",
    "name": "This looks like a person's name",
    "location": "This looks like a ward, bay or bed number, which could identify a place or a patient",
    "role": "This describes a role only one person holds, which could identify them",
}


@dataclass(frozen=True)
class Span:
    """One detail found: character offsets [start, end), kind, a plain-English reason and the matched text."""

    start: int
    end: int
    kind: str
    reason: str
    text: str


_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)\d[\d\s()-]{7,15}\d(?![\d])")
_EXTENSION = re.compile(r"\b(?i:ext(?:ension)?\.?|bleep|pager)\s*(?:no\.?|number)?\s*\d{3,6}\b")
_NHS = re.compile(r"(?<![\d+])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\d])")
_TITLE = r"(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof)\b\.?"
_ROLE = r"(?i:doctor|professor|sister|nurse|matron|midwife|consultant|surgeon|registrar|porter|sir|dame)\b"
_NAME_WORD = r"(?:O['’]|Mc|Mac|D['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_NAME = re.compile(
    rf"(?:(?:{_ROLE}\s+)?{_TITLE}|{_ROLE})\s+(?P<name>(?:[A-Z]\.?\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
)
_LOCATION = re.compile(
    r"\b(?i:ward|bay|bed|side\s+room|room|cubicle|theatre|bay\s+bed)\s+(?:no\.?\s*)?"
    r"(?:\d{1,3}[A-Za-z]?|[A-Z]\d{0,2})\b(?!\s*(?:%|percent|am\b|pm\b))(?!['’])"
)
_NOT_NAMES = frozenset(
    """Ward Bay Bed Unit Team Department Dept Hospital Trust Clinic Centre Service Services Nurse Nurses Sister
    Doctor Doctors Manager Managers Consultant Consultants Matron Practitioner Practitioners Specialist Assistant
    Associate Registrar Surgeon Midwife Porter Lead Leads Appointment Appointments Rounds Station Support Care
    Staff The This That These Those And But Or On In At An It Is Was We They He She You My Our Your Their
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August
    September October November December Bank Agency Shift Shifts Night Day Emergency Theatre Theatres Who
    Dr Mr Mrs Ms Mx Miss Prof Professor""".split()
)


def valid_nhs_number(digits: str) -> bool:
    """Check the NHS number modulus-11 check digit (weights 10..2; remainder mapping 11->0, 10 invalid)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _phone_ok(text: str) -> bool:
    """UK numbers have 10 or 11 digits counting the leading 0 (or +44 in its place)."""
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits.startswith("0") and len(digits) in (10, 11)


def _names(text: str) -> list[Span]:
    """Names after a title or role, trimmed of trailing non-name words."""
    spans: list[Span] = []
    for m in _NAME.finditer(text):
        words = m.group("name").split()
        while words and words[-1].rstrip(".") in _NOT_NAMES:
            words.pop()
        if not words or words[0].rstrip(".") in _NOT_NAMES or (len(words) == 1 and len(words[0].rstrip(".")) == 1):
            continue
        end = m.start("name") + len(m.group("name").rsplit(words[-1], 1)[0]) + len(words[-1])
        spans.append(Span(m.start(), end, "name", REASONS["name"], text[m.start() : end]))
    return spans


def find_identifying_details(text: str) -> list[Span]:
    """All spans that could identify a person or place, in order, without overlaps (the earlier, longer wins)."""
    text = text or ""
    found: list[Span] = []
    for m in _EMAIL.finditer(text):
        found.append(Span(m.start(), m.end(), "email", REASONS["email"], m.group(0)))
    for m in _NHS.finditer(text):
        if valid_nhs_number(re.sub(r"\D", "", m.group(0))):
            found.append(Span(m.start(), m.end(), "nhs_number", REASONS["nhs_number"], m.group(0)))
    for m in _PHONE.finditer(text):
        raw = m.group(0).rstrip(" -(")
        if _phone_ok(raw):
            found.append(Span(m.start(), m.start() + len(raw), "phone", REASONS["phone"], raw))
    for m in _EXTENSION.finditer(text):
        found.append(Span(m.start(), m.end(), "phone", REASONS["phone"], m.group(0)))
    found.extend(_names(text))
    for hit in find_people(text):
        found.append(Span(hit.start, hit.end, hit.kind, REASONS[hit.kind], text[hit.start : hit.end]))
    for m in _LOCATION.finditer(text):
        found.append(Span(m.start(), m.end(), "location", REASONS["location"], m.group(0)))
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in found:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept
