"""Small but genuine documents to upload: uploads are parsed, so test files must be real ones.

Each may carry a text stored as is in its bytes (PDF metadata, PNG tEXt chunk, JPEG comment),
for tests that look for it at rest."""

from __future__ import annotations

import io

from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter


def pdf_with(text: bytes = b"") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if text:
        writer.add_metadata({"/Subject": text.decode("ascii")})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_with(text: bytes = b"") -> bytes:
    info = PngInfo()
    if text:
        info.add_text("Comment", text.decode("ascii"))
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg_with(text: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG", comment=text)
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
