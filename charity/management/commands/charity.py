"""`manage.py charity balances [--org CODE] [--format json]`: every fund's balance, checked against its ledger.

`manage.py charity receipt NUMBER --out FILE` writes a donation's receipt as PDF.
Acts as the superuser or `--user NAME`, with the same scoping as the web and the API.
"""
import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum

from charity.models import DisbursementStatus, Donation, DonationKind, Fund
from charity.receipts import receipt_pdf
from core.management.acting import acting_user
from orgs.models import Organization


class Command(BaseCommand):
    """Fund balances (with a reconciliation against donations and disbursements) and receipts."""

    help = "Print fund balances reconciled with their ledgers, or write a donation's receipt as PDF."

    def add_arguments(self, parser):
        """balances | receipt NUMBER, --org, --out, --user, --format."""
        parser.add_argument("action", choices=["balances", "receipt"])
        parser.add_argument("number", nargs="?", help="receipt number")
        parser.add_argument("--org", help="organization code (its subtree)")
        parser.add_argument("--out", help="PDF file for the receipt")
        parser.add_argument("--user", help="act as this user (default: the superuser)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, action, number, org, out, user, format, **options):
        """Print the balances, or write the receipt."""
        by = acting_user(user)
        if action == "receipt":
            donation = Donation.objects.visible_to(by).select_related("fund", "org").filter(
                receipt_number=(number or "").upper()).first()
            if donation is None or not out:
                raise CommandError("name a receipt number in your scope and --out FILE")
            with open(out, "wb") as f:
                f.write(receipt_pdf(donation))
            self.stdout.write(out)
            return
        funds = Fund.objects.visible_to(by).select_related("org").order_by("code")
        if org:
            node = Organization.objects.visible_to(by).filter(code=org).first()
            if node is None:
                raise CommandError(f"no organization {org!r} in the scope of {by}")
            funds = funds.filter(org__path__startswith=node.path)
        rows = []
        for fund in funds:
            received = fund.donations.filter(kind=DonationKind.MONEY).aggregate(t=Sum("value"))["t"] or Decimal(0)
            paid = (fund.disbursements.filter(status=DisbursementStatus.APPROVED).aggregate(t=Sum("amount"))["t"]
                    or Decimal(0))
            rows.append({"code": fund.code, "name": fund.name, "balance": str(fund.balance),
                         "ledger": str((received - paid).quantize(Decimal("0.01"))), "consistent": fund.balance == received - paid})
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
        else:
            for r in rows:
                flag = "" if r["consistent"] else "  ≠ ledger " + r["ledger"]
                self.stdout.write(f"{r['code']:<16}{r['balance']:>16}  {r['name']}{flag}")
