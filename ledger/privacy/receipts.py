"""Receipts: checked by content and cleaned of their metadata before they are stored.

A receipt is stored in the books (committed, served by Fava, handed to the accountant), so
what its file says *about itself* must go before it is written: a PDF's document
information (Author, Title, Subject, Creator…), its XMP packets, page and image metadata,
annotations (their author and text), and the EXIF/IPTC/XMP segments of the JPEG images it
embeds; a photo's EXIF (camera owner, description, GPS position, dates), PNG text chunks
and comments. PDFs are rewritten with pypdf, images re-encoded from their pixels alone
with Pillow (a JPEG is first turned upright by its EXIF orientation). The bytes given are
never written anywhere: only the cleaned copy is.

Only PDF, PNG and JPEG are accepted, recognised by their content, whatever the file's name;
error messages never repeat the file's name (it may be a person's name). With the hub key
at hand, a receipt whose *text* names a participant (a ticket made out to her) is refused
too: metadata can be removed, the visible text cannot.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.errors import InputError
from ledger.i18n import _, system_error
from ledger.privacy.guard import TextGuard

if TYPE_CHECKING:
    from PIL import Image
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, PdfObject

# Pillow and pypdf (a tenth of a second) are imported by the functions that read an image
# or a PDF: a command of the noun that is given no receipt (``expense list``) needs neither
# (lazy imports, listed in tests/test_import_contract.py).

MAX_RECEIPT_BYTES = 20 * 1024 * 1024
FIELD = "--receipt"
# Keys that carry metadata about a PDF object rather than what it shows.
PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo", "/LastModified", "/Thumb", "/AA", "/Annots")
# JPEG segments kept: the image itself. APP1 (EXIF, XMP), APP13 (IPTC), COM and the other
# APPn segments go; APP0 (JFIF) and APP14 (Adobe colour transform) are needed to decode it.
JPEG_KEEP_APP = (0xE0, 0xEE)


def receipt_type(payload: bytes, field: str = FIELD) -> str:
    """``pdf``, ``png`` or ``jpg`` when ``payload`` is a readable file of that type (errors
    name ``field``, never the file)."""
    if not payload:
        raise InputError(_("{field}: the file is empty", field=field))
    if len(payload) > MAX_RECEIPT_BYTES:
        raise InputError(_("{field}: larger than 20 MB", field=field))
    if payload.startswith(b"%PDF-"):
        _read_pdf(payload, field)
        return "pdf"
    if payload.startswith(b"\x89PNG\r\n\x1a\n"):
        if payload[12:16] != b"IHDR" or b"IEND" not in payload[-16:]:
            raise InputError(
                _("{field}: not a readable PNG image (damaged or truncated)", field=field)
            )
        _read_image(payload, "PNG", field).close()
        return "png"
    if payload.startswith(b"\xff\xd8\xff"):
        if b"\xff\xd9" not in payload[-4:]:
            raise InputError(
                _("{field}: not a readable JPEG image (damaged or truncated)", field=field)
            )
        _read_image(payload, "JPEG", field).close()
        return "jpg"
    raise InputError(
        _(
            "{field}: not a PDF, PNG or JPEG file (its content says so, whatever its name)",
            field=field,
        )
    )


def _read_image(payload: bytes, kind: str, field: str = FIELD) -> Image.Image:
    """Decode the whole image: a file whose header and trailer are right but whose pixels
    are damaged is no readable receipt."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(payload))
            if image.format != kind:
                raise ValueError(image.format)
            image.load()
            return image
    except Exception:
        raise InputError(
            _(
                "{field}: not a readable {kind} image (damaged or truncated)",
                field=field,
                kind=kind,
            )
        ) from None


def _quiet_pypdf() -> logging.Logger:
    # pypdf logs what it repairs ("EOF marker not found"…) on stderr: the user gets our line.
    log = logging.getLogger("pypdf")
    log.setLevel(logging.CRITICAL)
    return log


def _read_pdf(payload: bytes, field: str = FIELD) -> PdfReader:
    from pypdf import PdfReader

    _quiet_pypdf()
    try:
        reader = PdfReader(io.BytesIO(payload), strict=False)
        if reader.is_encrypted:
            raise InputError(
                _("{field}: the PDF is encrypted; give an unprotected copy", field=field)
            )
        if len(reader.pages) < 1:
            raise InputError(_("{field}: the PDF has no page", field=field))
        return reader
    except InputError:
        raise
    except Exception:
        raise InputError(
            _("{field}: not a readable PDF (damaged or truncated)", field=field)
        ) from None


# ---------------------------------------------------------------- cleaning


def strip_jpeg_metadata(data: bytes) -> bytes:
    """A JPEG without its EXIF/XMP/IPTC segments and comments (the pixels untouched)."""
    if not data.startswith(b"\xff\xd8"):
        return data
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return data  # not a marker where one must be: leave the stream as it is
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is the image
            out += data[pos:]
            return bytes(out)
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:
            out += data[pos : pos + 2]
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        segment = data[pos : pos + 2 + length]
        is_app = 0xE0 <= marker <= 0xEF
        if marker != 0xFE and (not is_app or marker in JPEG_KEEP_APP):
            out += segment
        pos += 2 + length
    return data


def _objects(obj: PdfObject, seen: set[tuple[int, int]]) -> Iterator[DictionaryObject]:
    """Every dictionary (and stream) reachable from ``obj``, each once."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    target: PdfObject | None = obj
    if isinstance(obj, IndirectObject):
        ident = (obj.idnum, obj.generation)
        if ident in seen:
            return
        seen.add(ident)
        target = obj.get_object()
    if isinstance(target, DictionaryObject):
        yield target
        for name, value in list(target.items()):
            if name not in ("/Parent", "/P"):
                yield from _objects(value, seen)
    elif isinstance(target, ArrayObject):
        for value in target:
            yield from _objects(value, seen)


def clean_pdf(payload: bytes, field: str = FIELD) -> bytes:
    """The PDF's pages alone: no document information, no XMP, no annotations, no
    metadata on pages, images or forms, JPEG images without their EXIF."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    reader = _read_pdf(payload, field)
    try:
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page, excluded_keys=PDF_METADATA_KEYS)
        writer.metadata = None
        seen: set[tuple[int, int]] = set()
        for page in writer.pages:
            for obj in _objects(page, seen):
                for key in PDF_METADATA_KEYS:
                    if key in obj:
                        del obj[NameObject(key)]
                if isinstance(obj, StreamObject) and obj.get("/Filter") == "/DCTDecode":
                    obj.set_data(strip_jpeg_metadata(obj.get_data()))
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()
    except InputError:
        raise
    except Exception:
        raise InputError(
            _("{field}: the PDF cannot be cleaned of its metadata", field=field)
        ) from None


def clean_image(payload: bytes, kind: str, field: str = FIELD) -> bytes:
    """The image re-encoded from its pixels alone (upright): no EXIF, GPS, text chunks."""
    from PIL import Image, ImageOps

    image = _read_image(payload, "PNG" if kind == "png" else "JPEG", field)
    try:
        upright = ImageOps.exif_transpose(image) or image
        mode = upright.mode
        if kind == "jpg" and mode not in ("L", "RGB", "CMYK"):
            upright, mode = upright.convert("RGB"), "RGB"
        elif kind == "png" and mode not in ("1", "L", "LA", "RGB", "RGBA", "I", "I;16"):
            upright, mode = upright.convert("RGBA"), "RGBA"
        bare = Image.frombytes(mode, upright.size, upright.tobytes())
        buf = io.BytesIO()
        if kind == "jpg":
            bare.save(buf, "JPEG", quality=92)
        else:
            bare.save(buf, "PNG", optimize=True)
        return buf.getvalue()
    except Exception:
        raise InputError(
            _("{field}: the image cannot be cleaned of its metadata", field=field)
        ) from None
    finally:
        image.close()


def pdf_text(payload: bytes) -> str:
    reader = _read_pdf(payload)
    try:
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:
        return ""


def clean_receipt(
    payload: bytes, guard: TextGuard | None = None, field: str = FIELD
) -> tuple[bytes, str]:
    """The cleaned bytes of a receipt and its type (``pdf``, ``png``, ``jpg``)."""
    kind = receipt_type(payload, field)
    if kind == "pdf":
        cleaned = clean_pdf(payload, field)
        if guard is not None and guard.matches_roster(pdf_text(cleaned)):
            raise InputError(
                _(
                    "{field}: refused, the receipt's text names a participant of the roster; ask "
                    "for a receipt in the hub's name, or black the name out before scanning it",
                    field=field,
                )
            )
        return cleaned, kind
    return clean_image(payload, kind, field), kind


def read_receipt(path: Path, guard: TextGuard | None = None) -> tuple[bytes, str]:
    """The cleaned bytes and type of a receipt file given on the command line."""
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise InputError(
            _(
                "{field}: cannot read the file ({strerror})",
                field=FIELD,
                strerror=system_error(exc),
            )
        ) from None
    return clean_receipt(payload, guard)
