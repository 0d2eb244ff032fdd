"""Printable donation receipts: HTML rendered to PDF by WeasyPrint (Noto CJK from `make fonts`)."""
from django.template.loader import render_to_string


def receipt_html(donation) -> str:
    """The receipt as an HTML page (also the page's print view)."""
    return render_to_string("charity/receipt.html", {"d": donation, "fund": donation.fund,
                                                     "org": donation.org})


def receipt_pdf(donation) -> bytes:
    """The receipt as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=receipt_html(donation)).write_pdf()
