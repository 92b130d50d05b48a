"""Real files for the document and attachment tests, made with the real tools: pandoc writes
DOCX, LibreOffice (headless) turns DOCX and images into PDF, qpdf encrypts one. Nothing here
is a stand-in: the server converts what these tools wrote."""
from __future__ import annotations

import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path


def png(width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    """A real PNG (signature, IHDR, IDAT, IEND with CRCs), one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def docx(markdown: str, folder: Path, name: str = "doc") -> Path:
    source = folder / f"{name}.md"
    source.write_text(markdown, encoding="utf-8")
    out = folder / f"{name}.docx"
    subprocess.run(["pandoc", str(source), "-o", str(out), "--resource-path", str(folder)], check=True, timeout=60,
                   cwd=folder)
    return out


def soffice() -> str:
    return shutil.which("soffice") or shutil.which("libreoffice") or "soffice"


def to_pdf(path: Path) -> Path:
    """LibreOffice's own PDF export of a DOCX."""
    profile = path.parent / "lo-profile"
    subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(path.parent), str(path)], check=True, timeout=180,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = path.with_suffix(".pdf")
    assert out.exists(), f"LibreOffice wrote no PDF for {path}"
    return out


def encrypted(pdf: Path) -> Path:
    out = pdf.with_name(pdf.stem + "-locked.pdf")
    subprocess.run(["qpdf", "--encrypt", "user-secret", "owner-secret", "256", "--", str(pdf), str(out)],
                   check=True, timeout=60)
    return out


def zip_bomb(folder: Path) -> Path:
    """A DOCX-shaped zip whose document.xml unpacks from ~150 KiB to 150 MiB of zeros."""
    out = folder / "bomb.docx"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as entry:
            block = b"\x00" * (1 << 20)
            for _ in range(150):
                entry.write(block)
    return out
