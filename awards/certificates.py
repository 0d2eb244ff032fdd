"""Certificates (荣誉证书) of selected nominees: HTML rendered to PDF by WeasyPrint, Noto CJK embedded."""
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def certificate_html(nomination) -> str:
    """The certificate as an HTML page."""
    if not (nomination.selected and nomination.campaign.status == "published"):
        raise ValidationError(_("只有已发布名单中的入选者才有证书。"))
    return render_to_string("awards/certificate.html", {"n": nomination, "campaign": nomination.campaign})


def certificate_pdf(nomination) -> bytes:
    """The certificate as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=certificate_html(nomination)).write_pdf()
