"""Every report's PDF renders (poppler's pdftoppm), page by page, with ink on every page,
in A4 — portrait, or landscape for reports with a table of eight columns or more."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from report_support import Hub, report_ok

PDFS = (
    (("trial-balance", "--year", "2025"), "landscape"),
    (("general-ledger", "--year", "2025"), "landscape"),
    (("journals", "--year", "2026"), "landscape"),
    (("annual-accounts", "2025"), "portrait"),
    (("annual-accounts", "2026"), "portrait"),
    (("vat", "--year", "2025"), "portrait"),
    (("grant", "--year", "2025"), "portrait"),
    (("treasurer", "--month", "2025-12"), "landscape"),
    (("participant", "P-7K3Q9X", "--year", "2025"), "portrait"),
    (("fees-slips", "2025"), "landscape"),
)


@pytest.mark.parametrize(
    ("args", "orientation"), PDFS, ids=lambda v: "-".join(v) if isinstance(v, tuple) else v
)
def test_pdf_pages_render(
    hub: Hub, tmp_path: Path, args: tuple[str, ...], orientation: str
) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    out = tmp_path / "r.pdf"
    report_ok(*args, "--books", str(hub.root), "--format", "pdf", "--out", str(out))
    reader = PdfReader(out)
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (width > height) == (orientation == "landscape")
    assert {round(min(width, height)), round(max(width, height))} == {595, 842}  # A4
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == len(reader.pages) >= 1
    for png in pngs:
        gray = Image.open(png).convert("L")
        dark = sum(gray.histogram()[:128])
        assert dark > 200, png.name  # text was drawn on the page
