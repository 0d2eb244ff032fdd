"""`manage.py awards rank CAMPAIGN [--format json]`: a campaign's ranking with scores per criterion.

The CLI is the operator's: it reads every score of the campaign (by code or id), also before the
close, as `awards.ranking.rank_campaign` computes it for the organizer; `awards list` lists campaigns.
"""
import json

from django.core.management.base import BaseCommand, CommandError

from awards.models import Campaign
from awards.ranking import rank_campaign


class Command(BaseCommand):
    """Awards from the command line: `rank` and `list`."""

    help = "awards rank CAMPAIGN [--format json] | awards list"

    def add_arguments(self, parser):
        """`rank CAMPAIGN` or `list`, with --format text|json."""
        parser.add_argument("action", choices=["rank", "list"])
        parser.add_argument("campaign", nargs="?", help="campaign code or id")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, action, campaign, format, **options):
        """Print the ranking or the campaigns."""
        if action == "list":
            rows = [{"id": c.pk, "code": c.code, "year": c.year, "title": c.title, "status": c.status}
                    for c in Campaign.objects.order_by("-year", "code")]
            if format == "json":
                self.stdout.write(json.dumps(rows, ensure_ascii=False))
            else:
                for r in rows:
                    self.stdout.write(f"{r['code']}\t{r['year']}\t{r['status']}\t{r['title']}")
            return
        if not campaign:
            raise CommandError("awards rank CAMPAIGN: give a campaign code or id")
        c = Campaign.objects.filter(code=campaign).first() or (
            Campaign.objects.filter(pk=int(campaign)).first() if campaign.isdigit() else None)
        if c is None:
            raise CommandError(f"no campaign {campaign}")
        criteria = list(c.criteria.all())
        rows = rank_campaign(c)
        if format == "json":
            doc = {"campaign": c.code, "title": c.title, "year": c.year, "status": c.status, "places": c.places,
                   "drop_extremes": c.drop_extremes, "scoring_mode": c.scoring_mode,
                   "criteria": [{"id": x.pk, "group": x.group, "title": x.title, "max_score": str(x.max_score),
                                 "weight": str(x.weight)} for x in criteria],
                   "ranking": [r.as_dict() for r in rows]}
            self.stdout.write(json.dumps(doc, ensure_ascii=False))
            return
        for r in rows:
            mark = "*" if r.selected else " "
            self.stdout.write(f"{mark}{r.rank or '-':>3}  {r.score or '-':>9}  {r.nomination.name}")
