"""The board report opens in LibreOffice: Debian's soffice converts the .docx to PDF and the PDF has the headings.

Slow by nature (LibreOffice starts with a fresh profile in a temporary folder: tens of seconds on a busy machine),
so marked `libreoffice` and `slow`; the bound on the conversion is generous and is no timing assertion. Needs
`libreoffice-writer-nogui` and `poppler-utils` (scripts/test.sh installs them as root, and CI fails without them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.services.reports import model, word
from tests.services.triage_fixtures import themed  # noqa: F401  (fixture)

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
CONVERT_BOUND = 600  # seconds: a hung LibreOffice fails the test instead of the suite; never a speed check


def _tools() -> tuple[str, str]:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs soffice and pdftotext (libreoffice-writer-nogui, poppler-utils)")
        pytest.skip("LibreOffice Writer or pdftotext is not installed (libreoffice-writer-nogui, poppler-utils)")
    return soffice, pdftotext


def _pdf_text(docx_path: Path, work: Path) -> str:
    soffice, pdftotext = _tools()
    profile = work / "profile"
    log = work / "soffice.log"
    with log.open("wb") as out:
        # A private profile: no shared state with any other LibreOffice on the machine, removed with tmp_path.
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(work), str(docx_path)],
                       stdout=out, stderr=subprocess.STDOUT, check=False, timeout=CONVERT_BOUND)
    pdf = docx_path.with_suffix(".pdf")
    assert pdf.exists(), log.read_text(errors="replace")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, check=True,
                          timeout=CONVERT_BOUND).stdout.decode()
    return " ".join(text.split())


def test_the_report_renders_in_libreoffice_with_its_headings(themed, tmp_path):  # noqa: F811
    _tools()
    conversation, _, lead_orgs, _ = themed
    report = model.board_report(lead_orgs, conversation.id)
    path = tmp_path / "board-report.docx"
    path.write_bytes(word.to_docx(report))
    text = _pdf_text(path, tmp_path)
    for heading in [conversation.title, "Board report: themes, priorities and outcomes", "Summary of participation",
                    "Themes at a glance", "Ideas in each theme", "Themes by status",
                    "Themes by NHS People Promise element", "Themes in priority order",
                    "Themes in detail: status and outcomes", report.themes[0].label, report.elements[0].name]:
        assert heading in text, heading
