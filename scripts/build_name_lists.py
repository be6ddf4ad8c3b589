"""Build nlp/data/given_names.txt and nlp/data/surnames.txt from published name lists (run by hand, never at run time).

Sources (see docs/dependencies.md and nlp/data/NAMES_LICENCE.txt):
- Faker 40.54.0 (MIT): person providers of the locales most NHS staff names come from (ONS names for en_GB).
- names 0.3.0 (MIT): the US Census 1990 given-name and surname frequency lists (public domain).
- SCOWL size 35 (Debian wbritish-small, permissive licence): only to flag names that are also ordinary
  English words ("will", "hope", "ward"), which the detector treats as names only in context.

Usage: python scripts/build_name_lists.py FAKER_DIR NAMES_SDIST_DIR SCOWL_WORDS_FILE
(FAKER_DIR: the unpacked Faker wheel; NAMES_SDIST_DIR: the unpacked names sdist.)
"""

from __future__ import annotations

import importlib
import sys
import unicodedata
from pathlib import Path

LOCALES = ["en_GB", "en_IE", "en_IN", "en_NG", "en_PK", "en_KE", "en_US", "en_NZ", "pl_PL", "ro_RO", "pt_PT",
           "es_ES", "it_IT", "tw_GH", "yo_NG", "ig_NG", "ha_NG"]
CENSUS_SURNAMES = 5000  # the most frequent US surnames; Faker adds the British, Irish, Indian and African ones
OUT = Path(__file__).resolve().parents[1] / "nlp" / "data"
HEADER = ("# {what}: one a line, lower case, then a tab and 1 when the name is also an ordinary English word\n"
          "# (those count as names only in context). Built by scripts/build_name_lists.py; sources and licences\n"
          "# in nlp/data/NAMES_LICENCE.txt. Do not edit by hand: rebuild.\n")


def _fold(name: str) -> set[str]:
    """The lower-case name and, when it has accents, its plain-letter form too."""
    low = name.strip().lower()
    plain = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
    return {n for n in (low, plain) if n.replace("-", "").replace("'", "").isalpha() and " " not in n}


def _census(path: Path, limit: int | None = None) -> set[str]:
    rows = [line.split()[0] for line in path.read_text().splitlines() if line.strip()]
    return {n for name in rows[:limit] for n in _fold(name)}


def main(faker_dir: str, names_dir: str, scowl: str) -> None:
    sys.path.insert(0, faker_dir)
    given: set[str] = set()
    surnames: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        given |= {n for name in getattr(provider, "first_names", ()) for n in _fold(name)}
        surnames |= {n for name in getattr(provider, "last_names", ()) for n in _fold(name)}
    census = Path(names_dir) / "names"
    given |= _census(census / "dist.male.first") | _census(census / "dist.female.first")
    surnames |= _census(census / "dist.all.last", CENSUS_SURNAMES)
    words = {w for w in Path(scowl).read_text(encoding="latin-1").split() if w.islower()}
    for file, what, names in (("given_names.txt", "Given names", given), ("surnames.txt", "Surnames", surnames)):
        lines = [f"{n}\t{int(n in words or len(n) <= 2)}" for n in sorted(names)]
        (OUT / file).write_text(HEADER.format(what=what) + "\n".join(lines) + "\n", encoding="utf-8")
        print(file, len(lines), "names,", sum(line.endswith("1") for line in lines), "also words")


if __name__ == "__main__":
    main(*sys.argv[1:4])
