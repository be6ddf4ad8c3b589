"""Identifying details: true positives by kind, and the false positives that must not fire."""

from __future__ import annotations

import pytest

from nlp.identifying import REASONS, find_identifying_details, valid_nhs_number


def _found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in find_identifying_details(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Email jo.bloggs@nhs.net now", [("email", "jo.bloggs@nhs.net")]),
        ("Contact A.Smith+rota@example.co.uk.", [("email", "A.Smith+rota@example.co.uk")]),
        ("Call 07700 900123 please", [("phone", "07700 900123")]),
        ("Ring (020) 7946 0958", [("phone", "(020) 7946 0958")]),
        ("Mobile +44 7700 900123", [("phone", "+44 7700 900123")]),
        ("Switchboard 0161-496-0000", [("phone", "0161-496-0000")]),
        ("Try 01632960001.", [("phone", "01632960001")]),
        ("On bleep 1234 tonight", [("phone", "bleep 1234")]),
        ("NHS number 943 476 5919", [("nhs_number", "943 476 5919")]),
        ("ref 9434765919", [("nhs_number", "9434765919")]),
        ("ref 943-476-5919", [("nhs_number", "943-476-5919")]),
        ("Dr Patel was rude", [("name", "Dr Patel")]),
        ("Sister Jones said no", [("name", "Sister Jones")]),
        ("Ask Mr O'Neil", [("name", "Mr O'Neil")]),
        ("Nurse Kelly helped", [("name", "Nurse Kelly")]),
        ("Matron Smith agreed", [("name", "Matron Smith")]),
        ("our consultant Dr. Amira Khan", [("name", "consultant Dr. Amira Khan")]),
        ("Dr A. Khan and Mrs Smith-Jones", [("name", "Dr A. Khan"), ("name", "Mrs Smith-Jones")]),
        ("Ms D'Souza and Mr McDonald", [("name", "Ms D'Souza"), ("name", "Mr McDonald")]),
        ("Ward 7 is short", [("location", "Ward 7")]),
        ("in bay 3, bed 12", [("location", "bay 3"), ("location", "bed 12")]),
        ("moved to Ward B4", [("location", "Ward B4")]),
    ],
)
def test_detects(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Doctor appointments run late",
        "ward rounds take too long",
        "We have 10 beds and 4 bays",
        "The Ward Sister is supportive",
        "Nurse Practitioner roles are unclear",
        "staff nurse shortage on nights",
        "We need 20 more nurses by 2026",
        "Handover at 0730 is rushed",
        "Budget cut by 1000000 pounds",
        "The Monday meeting with the Consultant Team",
        "email the rota team",
        "10 wards closed",
        "Beds 1 in 3 are empty",
        "943 476 5918 is not a valid NHS number",
        "",
    ],
)
def test_false_positives(text: str) -> None:
    assert _found(text) == []


def test_spans_have_offsets_and_plain_reasons() -> None:
    text = "Tell Dr Patel on Ward 7 or email a@b.com"
    spans = find_identifying_details(text)
    assert [text[s.start : s.end] for s in spans] == [s.text for s in spans]
    assert [s.kind for s in spans] == ["name", "location", "email"]
    assert spans[2].reason == "This looks like an email address" == REASONS["email"]
    assert all(s.reason.startswith("This looks like") for s in spans)
    assert spans == sorted(spans, key=lambda s: s.start)


def test_nhs_checksum() -> None:
    assert valid_nhs_number("9434765919")
    assert valid_nhs_number("4010232137")
    assert not valid_nhs_number("9434765918")
    assert not valid_nhs_number("123456789")
    assert not valid_nhs_number("abcdefghij")
