"""Writes of the charity app: funds, donations with receipts, beneficiaries, disbursements, honours.

Money moves only here. A fund's row is locked (SELECT … FOR UPDATE) by every write that
changes its balance, so two approvals at once are applied one after the other and the
second sees what the first left; the database's CheckConstraint (balance ≥ 0) is the last
line should anything write around this module. Receipt numbers come from a per-fund,
per-year counter row locked inside the same transaction: a number is taken only when the
donation is written, so there are no gaps and no repeats.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from charity.models import (
    Beneficiary,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationKind,
    DonorKind,
    Fund,
    Honor,
    ReceiptCounter,
)
from core.audit import acting, log_action
from core.scoping import CHANGE, MANAGE
from core.services import apply_fields, require

FUND_FIELDS = {"org", "code", "name", "kind", "rules", "active"}
BENEFICIARY_FIELDS = {"org", "kind", "name", "id_number", "birth_date", "phone", "address", "guardian_name",
                      "guardian_phone", "school", "region", "notes"}


def _money(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:
        raise ValidationError(_("金额格式不正确。")) from None
    if amount <= 0:
        raise ValidationError(_("金额须大于零。"))
    return amount


# Funds ---------------------------------------------------------------------------------

def create_fund(*, by, **fields) -> Fund:
    """Create a fund (its balance starts at zero and moves only with donations and disbursements)."""
    fund = Fund()
    apply_fields(fund, fields, FUND_FIELDS)
    require(by, CHANGE, fund.org)
    fund.full_clean()
    with transaction.atomic(), acting(by):
        fund.save()
        log_action(fund, "charity.fund.created", by, {"code": fund.code})
    return fund


def update_fund(*, by, fund: Fund, **fields) -> Fund:
    """Change a fund's name, rules or state; its balance is not a field anyone sets."""
    require(by, CHANGE, fund.org)
    changed = apply_fields(fund, fields, FUND_FIELDS - {"org", "code"})
    fund.full_clean()
    if changed:
        # Only the changed columns: the in-memory balance may be stale, and the balance is not ours to write here.
        with transaction.atomic(), acting(by):
            fund.save(update_fields=sorted(changed))
    return fund


# Donations and receipts ----------------------------------------------------------------

def _next_receipt(fund: Fund, year: int) -> int:
    """The next number of the fund's receipts in `year`, taken under a row lock (caller's transaction)."""
    counter = ReceiptCounter.objects.select_for_update().filter(fund=fund, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                ReceiptCounter.objects.create(fund=fund, year=year, last=0)
        except IntegrityError:
            pass  # created meanwhile by another donation: lock theirs
        counter = ReceiptCounter.objects.select_for_update().get(fund=fund, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return counter.last


def receive_donation(*, by, fund: Fund, donor_name: str = "", donor_kind: str = DonorKind.PERSON,
                     donor_person=None, donor_enterprise=None, donor_org=None, kind: str = DonationKind.MONEY,
                     value, goods: str = "", received_on: dt.date | None = None, anonymous: bool = False,
                     notes: str = "") -> Donation:
    """Record a donation and give it the next receipt number; money adds to the fund's balance.

    Goods are recorded at their valuation and counted among donations, but do not add to the
    money a fund can disburse.
    """
    require(by, CHANGE, fund.org)
    value = _money(value)
    received_on = received_on or timezone.localdate()
    donor_name = (donor_name or str(donor_person or donor_enterprise or donor_org or "")).strip()
    if not donor_name:
        raise ValidationError({"donor_name": _("请填写捐赠方（匿名捐赠也须登记，收据上不显示）。")})
    if kind == DonationKind.GOODS and not goods.strip():
        raise ValidationError({"goods": _("捐物须写明物品及数量。")})
    with transaction.atomic(), acting(by):
        locked = Fund.objects.select_for_update().get(pk=fund.pk)
        if not locked.active:
            raise ValidationError({"fund": _("基金“%(f)s”已停用。") % {"f": locked.name}})
        seq = _next_receipt(locked, received_on.year)
        donation = Donation(
            org=locked.org, fund=locked, donor_kind=donor_kind, donor_person=donor_person,
            donor_enterprise=donor_enterprise, donor_org=donor_org, donor_name=donor_name, anonymous=anonymous,
            kind=kind, value=value, goods=goods.strip(), received_on=received_on, notes=notes,
            receipt_year=received_on.year, receipt_seq=seq,
            receipt_number=f"{locked.code.upper()}-{received_on.year}-{seq:05d}")
        donation.full_clean(exclude=["org", "fund", "donor_person", "donor_enterprise", "donor_org"])
        donation.save()
        if kind == DonationKind.MONEY:
            Fund.objects.filter(pk=locked.pk).update(balance=F("balance") + value)
        log_action(donation, "charity.donation.received", by,
                   {"fund": locked.code, "receipt": donation.receipt_number, "value": str(value), "kind": kind})
    fund.refresh_from_db(fields=["balance"])
    return donation


# Beneficiaries -------------------------------------------------------------------------

def create_beneficiary(*, by, **fields) -> Beneficiary:
    """Register a beneficiary (personal data stored in clear, shown masked)."""
    b = Beneficiary()
    apply_fields(b, fields, BENEFICIARY_FIELDS)
    require(by, CHANGE, b.org)
    b.full_clean()
    with transaction.atomic(), acting(by):
        b.save()
    return b


def update_beneficiary(*, by, beneficiary: Beneficiary, **fields) -> Beneficiary:
    """Change a beneficiary's details."""
    require(by, CHANGE, beneficiary.org)
    changed = apply_fields(beneficiary, fields, BENEFICIARY_FIELDS)
    if "org" in changed:
        require(by, CHANGE, beneficiary.org)
    beneficiary.full_clean()
    with transaction.atomic(), acting(by):
        beneficiary.save()
    return beneficiary


# Disbursements -------------------------------------------------------------------------

def request_disbursement(*, by, fund: Fund, beneficiary: Beneficiary, amount, purpose: str) -> Disbursement:
    """Ask for money out of a fund for a beneficiary; nothing moves until it is approved."""
    require(by, CHANGE, fund.org)
    require(by, CHANGE, beneficiary.org)
    if not purpose.strip():
        raise ValidationError({"purpose": _("请写明用途。")})
    d = Disbursement(org=fund.org, fund=fund, beneficiary=beneficiary, amount=_money(amount), purpose=purpose,
                     requested_by=by if getattr(by, "is_authenticated", False) else None)
    with transaction.atomic(), acting(by):
        d.save()
        log_action(d, "charity.disbursement.requested", by, {"amount": str(d.amount)})
    return d


def approve_disbursement(*, by, disbursement: Disbursement, paid_on: dt.date | None = None,
                         note: str = "") -> Disbursement:
    """Approve a disbursement and take its amount from the fund, refusing an overspend.

    Needs an administrator's grant on the fund's organization. The fund row stays locked
    until the transaction ends, so concurrent approvals cannot both spend the same money.
    """
    require(by, MANAGE, disbursement.org)
    with transaction.atomic(), acting(by):
        fund = Fund.objects.select_for_update().get(pk=disbursement.fund_id)
        d = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
        if d.status != DisbursementStatus.REQUESTED:
            raise ValidationError(_("此拨付已审批过。"))
        if fund.balance < d.amount:
            raise ValidationError({"amount": _("基金“%(f)s”余额 %(b)s 元，不足拨付 %(a)s 元。")
                                   % {"f": fund.name, "b": fund.balance, "a": d.amount}})
        Fund.objects.filter(pk=fund.pk).update(balance=F("balance") - d.amount)
        d.status, d.decided_by, d.decided_at = DisbursementStatus.APPROVED, by, timezone.now()
        d.paid_on, d.decision_note = paid_on or timezone.localdate(), note
        d.save()
        log_action(d, "charity.disbursement.approved", by, {"amount": str(d.amount), "fund": fund.code})
    disbursement.refresh_from_db()
    return disbursement


def reject_disbursement(*, by, disbursement: Disbursement, note: str) -> Disbursement:
    """Refuse a requested disbursement, with the reason."""
    require(by, MANAGE, disbursement.org)
    if not note.strip():
        raise ValidationError({"decision_note": _("请写明不批准的理由。")})
    with transaction.atomic(), acting(by):
        d = Disbursement.objects.select_for_update().get(pk=disbursement.pk)
        if d.status != DisbursementStatus.REQUESTED:
            raise ValidationError(_("此拨付已审批过。"))
        d.status, d.decided_by, d.decided_at, d.decision_note = (DisbursementStatus.REJECTED, by, timezone.now(),
                                                                 note.strip())
        d.save()
        log_action(d, "charity.disbursement.rejected", by)
    disbursement.refresh_from_db()
    return disbursement


def disburse(*, by, fund: Fund, beneficiary: Beneficiary, amount, purpose: str,
             paid_on: dt.date | None = None) -> Disbursement:
    """Request and approve at once (an administrator paying out)."""
    with transaction.atomic():
        d = request_disbursement(by=by, fund=fund, beneficiary=beneficiary, amount=amount, purpose=purpose)
        return approve_disbursement(by=by, disbursement=d, paid_on=paid_on)


# Honours -------------------------------------------------------------------------------

def award_honor(*, by, org, title: str, year: int, person=None, enterprise=None, recipient_org=None,
                citation: str = "", awarded_on=None) -> Honor:
    """Award an honour (爱心侨商奖 …) to exactly one person, enterprise or organization."""
    require(by, CHANGE, org)
    if sum(x is not None for x in (person, enterprise, recipient_org)) != 1:
        raise ValidationError(_("请选择一个获奖的人员、企业或组织。"))
    honor = Honor(org=org, title=title, year=year, person=person, enterprise=enterprise,
                  recipient_org=recipient_org, citation=citation, awarded_on=awarded_on)
    honor.full_clean(exclude=["person", "enterprise", "recipient_org"])
    with transaction.atomic(), acting(by):
        honor.save()
        log_action(honor, "charity.honor.awarded", by, {"title": title, "year": year})
    return honor


def update_honor(*, by, honor: Honor, **fields) -> Honor:
    """Change an honour's title, year or citation."""
    require(by, CHANGE, honor.org)
    apply_fields(honor, fields, {"title", "year", "citation", "awarded_on"})
    honor.full_clean(exclude=["person", "enterprise", "recipient_org"])
    with transaction.atomic(), acting(by):
        honor.save()
    return honor
