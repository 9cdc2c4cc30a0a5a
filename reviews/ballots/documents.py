"""The printable code sheet of a democratic evaluation: one cell per voter with the QR code
of the voting page and the code's typable form, cut lines between cells. Rendering goes
through reports.pdf.render_pdf; the QR codes are inline SVG (nothing to fetch)."""

from dataclasses import dataclass

import qrcode
from django.utils import timezone
from django.utils.safestring import mark_safe

from branches.downloads import safe_filename
from reports.pdf import render_pdf
from reviews.ballots.computation import code_display
from reviews.ballots.selectors import printable_codes


@dataclass
class CodeCell:
    group: str
    code: str  # typable form, ABCD-EFGH-JKLM-NPQR
    qr_svg: str  # inline SVG, generated here from the code (no user text in it)


def qr_matrix(data):
    """The QR code of `data` (medium error correction) as rows of booleans, without quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_svg(data, quiet_zone=2):
    """An inline SVG of the QR code of `data`: one path of horizontal runs of dark modules.

    Drawn here rather than with qrcode's SVG factories, whose one-rectangle-per-module paths
    take WeasyPrint ~0.3 s per code (a 300-voter sheet: minutes); runs take a few ms.
    """
    matrix = qr_matrix(data)
    size = len(matrix)
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    box = size + 2 * quiet_zone
    # Only numbers and path commands we generated: safe to inline.
    return mark_safe(  # noqa: S308
        f'<svg viewBox="-{quiet_zone} -{quiet_zone} {box} {box}" xmlns="http://www.w3.org/2000/svg">'
        f'<path d="{"".join(parts)}"/></svg>'
    )


def code_cells(evaluation, vote_url):
    """[CodeCell] for every printable code; `vote_url(code)` gives the absolute voting URL."""
    return [
        CodeCell(group.name, code_display(code), qr_svg(vote_url(code)))
        for group, codes in printable_codes(evaluation)
        for code in codes
    ]


def code_sheet_pdf(evaluation, *, vote_url, entry_url):
    """The PDF sheet of the evaluation's codes (only while it is a draft: later they no longer exist)."""
    cells = code_cells(evaluation, vote_url)
    return render_pdf(
        "reviews/ballots/codes_pdf.html",
        {"evaluation": evaluation, "cells": cells, "entry_url": entry_url, "generated_at": timezone.localtime()},
        stylesheets=("codes.css",),
    )


def code_sheet_filename(evaluation):
    return safe_filename(f"{evaluation.title}测评码") + ".pdf"
