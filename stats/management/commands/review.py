"""`manage.py review ORG --year Y --format pdf|docx|html --out FILE`: the annual review from the records."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from orgs.models import Organization
from stats import review
from stats.management.commands.indicator import Command as IndicatorCommand


class Command(BaseCommand):
    """Render an organization's annual review (its template, or the default of its kind) to a file."""

    help = "Write an organization's annual review as PDF, .docx or HTML."

    def add_arguments(self, parser):
        parser.add_argument("org", help="organization code")
        parser.add_argument("--year", type=int, default=dt.date.today().year)
        parser.add_argument("--format", choices=["pdf", "docx", "html"], default="pdf")
        parser.add_argument("--out", required=True)
        parser.add_argument("--user", help="render as this user (default: as a superuser)")

    def handle(self, *args, org, year, format, out, user, **options):
        node = Organization.objects.filter(code=org).first()
        if node is None:
            raise CommandError(_("没有代码为 %(c)s 的组织。") % {"c": org})
        rendered = review.render(node, year, user=IndicatorCommand()._user(user))
        if format == "pdf":
            content = review.to_pdf(rendered)
        elif format == "docx":
            content = review.to_docx(rendered)
        else:
            content = review.to_html(rendered).encode()
        with open(out, "wb") as fh:
            fh.write(content)
        self.stdout.write(_("已写入 %(f)s") % {"f": out})
