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


# --- issue #10.7: ordinary names, lower-case titles and roles that point to one person ----------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("John never answers his emails", [("name", "John")]),
        ("Sarah in pharmacy sorted it out", [("name", "Sarah")]),
        ("sister jones said no again", [("name", "sister jones")]),
        ("I am the only band 7 on nights", [("role", "the only band 7 on nights")]),
        ("the new matron on ward 4 is lovely", [("role", "the new matron on ward 4")]),
        ("our deputy manager in pharmacy shouts", [("role", "our deputy manager in pharmacy")]),
        ("Sarah got back to me", [("name", "Sarah")]),
        ("Jamie and Matt covered it", [("name", "Jamie"), ("name", "Matt")]),
        ("Thanks to Will for the rota", [("name", "Will")]),
        ("Grace said she would report it", [("name", "Grace")]),
        ("Sue's swaps are never approved", [("name", "Sue")]),
        ("Mark from estates keeps promising", [("name", "Mark")]),
        ("dr patel never answers", [("name", "dr patel")]),
        ("matron smith told us off", [("name", "matron smith")]),
        ("the manager of pharmacy said no", [("role", "the manager of pharmacy")]),
        ("Gemma Wright is my manager", [("name", "Gemma Wright")]),
        ("We only have one pharmacist at night", [("role", "only have one pharmacist")]),
        ("the only sister on the ward", [("role", "the only sister")]),
    ],
)
def test_detects_people(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I will raise it at the staff meeting",
        "Will the car park be open at night?",
        "I hope the new rota is fairer",
        "Hope is not a staffing plan",
        "There is no joy in working short",
        "Faith in management is low",
        "The rota for May is late",
        "May we have lockers that lock?",
        "Please mark the training as mandatory",
        "The bill for parking is too high",
        "Staff pat themselves on the back",
        "Grace periods for leave are short",
        "The amber alert went off",
        "It is not all sunny days",
        "Ward rounds take too long",
        "Summer holidays are allocated by service",
        "Easter leave goes to the same people",
        "We met at St Luke's",
        "Collection was delayed until Jan 2021",
        "Our managers do their best",
        "The ward manager should approve leave",
        "A band 7 on nights would help",
        "She is the only consultant who explains things",
        "The manager of the month award is a popularity contest",
    ],
)
def test_ordinary_words_that_are_names_are_not_flagged(text: str) -> None:
    assert _found(text) == []


def test_name_lists_ship_with_the_package_and_flag_ordinary_words() -> None:
    from nlp.people import _names

    given = _names("given_names.txt")
    assert len(given) > 5000 and len(_names("surnames.txt")) > 5000
    assert given["john"] is False and given["sarah"] is False
    assert all(given[w] for w in ("will", "hope", "joy", "faith", "may", "rose", "mark", "bill", "sue", "pat", "grace",
                                   "amber", "sunny", "ward"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I thought he was a nurse. He told me so", []),
        ("Dr. Khan helped", [("name", "Dr. Khan")]),
        ("Nurse XXXX was great", []),
        ("Mr X at Byron House was kind", []),
        ("The best ward I’ve been on", []),
        ("on the Lynn Jarrett Ward today", [("location", "Lynn Jarrett Ward")]),
        ("The Ambulatory Ward staff", []),
        ("All the staff on Thornton ward were kind", [("location", "Thornton ward")]),
    ],
)
def test_sentence_ends_placeholders_and_places(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trevor & Matt helped", [("name", "Trevor"), ("name", "Matt")]),
        ("Sarah, Will and Matt sorted it", [("name", "Sarah"), ("name", "Will"), ("name", "Matt")]),
        ("Thanks Sarah, Will you look at it?", [("name", "Sarah")]),
        ("Joy, Hope and Faith are our values", []),
    ],
)
def test_names_joined_to_a_name(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected
