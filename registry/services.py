"""Writes to the registry: people, enterprises, memberships, dues; dedupe and merge.

Every function is atomic, takes the acting user as keyword `by`, checks the grant,
validates with the shared validators and leaves an audit entry.
"""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from core.audit import acting, log_action
from core.crypto import lookup_hash
from core.scoping import CHANGE
from core.services import apply_fields, require
from core.validators import id_birth_date, normalize_phone, validate_credit_code, validate_id_number
from registry.models import DuesPayment, DuesRate, Enterprise, Membership, Person, Tag

PERSON_FIELDS = {
    "org", "name", "former_names", "foreign_name", "gender", "birth_date", "category", "is_new_overseas",
    "country", "home_region", "id_number", "passport_number", "phone", "email", "wechat", "address",
    "languages", "industries", "notes",
}
ENTERPRISE_FIELDS = {
    "org", "name", "credit_code", "kind", "industry", "country", "region", "size", "legal_representative",
    "legal_person", "main_products", "phone", "address", "notes",
}


class DuplicateFound(ValidationError):
    """Raised on create when the person is already in the registry; carries the existing records."""

    def __init__(self, existing: list[Person], reason: str):
        self.existing = existing
        self.reason = reason
        super().__init__(reason, code="duplicate")


def _field_error(field: str, error: ValidationError) -> ValidationError:
    return ValidationError({field: error.messages})


def normalize_person(person: Person, id_checked: bool = False) -> None:
    """Normalise and cross-check a person's fields: ID checksum, birth date and gender from it, phone.

    `id_checked` says the ID number was validated already (an import checks it while reading the sheet).
    """
    errors = {}
    if person.id_number:
        try:
            if not id_checked:
                person.id_number = validate_id_number(person.id_number)
        except ValidationError as e:
            errors["id_number"] = e.messages
        else:
            born = id_birth_date(person.id_number)
            if person.birth_date and person.birth_date != born:
                errors["birth_date"] = [_("出生日期与身份证号中的 %(d)s 不一致。") % {"d": born.isoformat()}]
            person.birth_date = person.birth_date or born
            person.gender = person.gender or ("M" if int(person.id_number[16]) % 2 else "F")
    else:
        person.id_number = None
    if person.phone:
        try:
            person.phone = normalize_phone(person.phone)
        except ValidationError as e:
            errors["phone"] = e.messages
    person.name = (person.name or "").strip()
    if errors:
        raise ValidationError(errors)


def find_duplicates(person: Person) -> tuple[list[Person], str]:
    """Existing people who are this person: same ID number, or same name, birth date and phone."""
    others = Person.objects.active().exclude(pk=person.pk)
    if person.id_number:
        # The ID number is encrypted: equal numbers are found by their keyed hash (core.crypto).
        same = list(others.filter(id_number_hash=lookup_hash(person.id_number)))
        if same:
            return same, _("身份证号相同的人员已经登记。")
    if person.name and person.birth_date and person.phone:
        same = list(others.filter(name=person.name, birth_date=person.birth_date, phone=person.phone))
        if same:
            return same, _("姓名、出生日期和手机号都相同的人员已经登记。")
    return [], ""


def _set_tags(obj, tags) -> None:
    if tags is None:
        return
    names = [t.strip() for t in tags if t and t.strip()]
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    obj.tags.set(Tag.objects.filter(name__in=names))


def create_person(*, by, tags=None, **fields) -> Person:
    """Register a person; raises DuplicateFound when the person is already registered."""
    person = Person()
    apply_fields(person, fields, PERSON_FIELDS)
    require(by, CHANGE, person.org)
    normalize_person(person)
    person.full_clean(validate_unique=False)
    with transaction.atomic(), acting(by):
        existing, reason = find_duplicates(person)
        if existing:
            raise DuplicateFound(existing, reason)
        person.save()
        _set_tags(person, tags)
    return person


def update_person(*, by, person: Person, tags=None, **fields) -> Person:
    """Change a person's fields; moving to another organization needs a grant on both."""
    require(by, CHANGE, person.org)
    changed = apply_fields(person, fields, PERSON_FIELDS)
    if "org" in changed:
        require(by, CHANGE, person.org)
    normalize_person(person)
    person.full_clean(validate_unique=False)
    with transaction.atomic(), acting(by):
        if "id_number" in changed:
            existing, reason = find_duplicates(person)
            if existing and person.id_number:
                raise DuplicateFound(existing, reason)
        person.save()
        _set_tags(person, tags)
    return person


def delete_person(*, by, person: Person) -> None:
    """Remove a person and their memberships and positions from the registry."""
    require(by, CHANGE, person.org)
    with transaction.atomic(), acting(by):
        person.delete()


MERGE_FILL_FIELDS = sorted(PERSON_FIELDS - {"org", "name", "id_number"})


def merge_people(*, by, keep: Person, drop: Person) -> Person:
    """Merge `drop` into `keep`: memberships, positions, enterprises and tags move over,
    empty fields of `keep` are filled from `drop`, and `drop` stays as a pointer to `keep`."""
    require(by, CHANGE, keep.org)
    require(by, CHANGE, drop.org)
    if keep.pk == drop.pk:
        raise ValidationError(_("不能把人员合并到自己。"))
    if drop.merged_into_id:
        raise ValidationError(_("该人员已被合并。"))
    if keep.id_number and drop.id_number and keep.id_number != drop.id_number:
        raise ValidationError({"id_number": _("两人身份证号不同，不是同一人，不能合并。")})
    with transaction.atomic(), acting(by):
        filled = {}
        for name in MERGE_FILL_FIELDS:
            if getattr(keep, name) in (None, "", False) and getattr(drop, name) not in (None, "", False):
                setattr(keep, name, getattr(drop, name))
                filled[name] = True
        drop_id_number = drop.id_number
        if drop_id_number:
            drop.id_number = None
            drop.save(update_fields=["id_number", "id_number_hash"])
            keep.id_number = keep.id_number or drop_id_number
        if drop.name != keep.name:
            names = [n for n in (keep.former_names, drop.name) if n]
            keep.former_names = "，".join(dict.fromkeys(names))
        keep.save()
        moved = {
            "memberships": drop.memberships.update(person=keep),
            "positions": drop.positions.update(person=keep),
            "enterprises": drop.enterprises.update(legal_person=keep),
        }
        keep.tags.add(*drop.tags.all())
        moved.update(_move_member_login(keep, drop))
        drop.merged_into = keep
        drop.save(update_fields=["merged_into"])
        Person.objects.filter(merged_into=drop).update(merged_into=keep)
        log_action(keep, "registry.person.merged", by, {"merged": drop.pk, "filled": sorted(filled), **moved})
        log_action(drop, "registry.person.merged_into", by, {"into": keep.pk})
    return keep


def _move_member_login(keep: Person, drop: Person) -> dict:
    """The member portal's login of `drop` follows the merge when `keep` has none (else both stay as they are,
    and the count of logins left on the merged record is logged)."""
    from django.apps import apps

    if not apps.is_installed("portal"):
        return {}
    accounts = apps.get_model("portal", "MemberAccount").objects
    if accounts.filter(person=keep).exists():
        return {"member_logins_left": accounts.filter(person=drop).count()}
    return {"member_login": accounts.filter(person=drop).update(person=keep)}


def normalize_enterprise(enterprise: Enterprise) -> None:
    """Check the credit code's checksum and the phone number."""
    errors = {}
    if enterprise.credit_code:
        try:
            enterprise.credit_code = validate_credit_code(enterprise.credit_code)
        except ValidationError as e:
            errors["credit_code"] = e.messages
    else:
        enterprise.credit_code = None
    if enterprise.phone:
        try:
            enterprise.phone = normalize_phone(enterprise.phone)
        except ValidationError as e:
            errors["phone"] = e.messages
    if errors:
        raise ValidationError(errors)


def create_enterprise(*, by, tags=None, **fields) -> Enterprise:
    """Register an enterprise or individual business."""
    enterprise = Enterprise()
    apply_fields(enterprise, fields, ENTERPRISE_FIELDS)
    require(by, CHANGE, enterprise.org)
    normalize_enterprise(enterprise)
    enterprise.full_clean()
    with transaction.atomic(), acting(by):
        enterprise.save()
        _set_tags(enterprise, tags)
    return enterprise


def update_enterprise(*, by, enterprise: Enterprise, tags=None, **fields) -> Enterprise:
    """Change an enterprise's fields."""
    require(by, CHANGE, enterprise.org)
    changed = apply_fields(enterprise, fields, ENTERPRISE_FIELDS)
    if "org" in changed:
        require(by, CHANGE, enterprise.org)
    normalize_enterprise(enterprise)
    enterprise.full_clean()
    with transaction.atomic(), acting(by):
        enterprise.save()
        _set_tags(enterprise, tags)
    return enterprise


def add_membership(*, by, org, person=None, enterprise=None, role="member", joined_on=None,
                   left_on=None) -> Membership:
    """Enrol a person or an enterprise as a member of `org`."""
    require(by, CHANGE, org)
    membership = Membership(org=org, person=person, enterprise=enterprise, role=role,
                            joined_on=joined_on, left_on=left_on)
    membership.full_clean()
    current = Membership.objects.filter(org=org, left_on__isnull=True).filter(
        Q(person=person) if person else Q(enterprise=enterprise)
    )
    if left_on is None and current.exists():
        raise ValidationError(_("%(m)s 已是 %(o)s 的会员。") % {"m": membership.member, "o": org})
    with transaction.atomic(), acting(by):
        membership.save()
    return membership


def update_membership(*, by, membership: Membership, **fields) -> Membership:
    """Change a membership's role or dates (leaving is setting `left_on`)."""
    require(by, CHANGE, membership.org)
    apply_fields(membership, fields, {"role", "joined_on", "left_on"})
    membership.full_clean()
    with transaction.atomic(), acting(by):
        membership.save()
    return membership


def set_dues_rate(*, by, org, year: int, role: str, amount: Decimal) -> DuesRate:
    """Set the yearly fee of a position in an organization."""
    require(by, CHANGE, org)
    with transaction.atomic(), acting(by):
        rate, _created = DuesRate.objects.update_or_create(
            org=org, year=year, role=role, defaults={"amount": amount}
        )
    return rate


def record_payment(*, by, membership: Membership, year: int, amount: Decimal, paid_on,
                   receipt_number: str = "") -> DuesPayment:
    """Record a dues payment for a membership and year."""
    require(by, CHANGE, membership.org)
    if amount <= 0:
        raise ValidationError({"amount": _("金额必须大于零。")})
    payment = DuesPayment(org=membership.org, membership=membership, year=year, amount=amount,
                          paid_on=paid_on, receipt_number=receipt_number)
    payment.full_clean()
    with transaction.atomic(), acting(by):
        payment.save()
    return payment


def dues_statements(memberships, until_year: int) -> list[tuple[Membership, list[dict]]]:
    """`dues_statement` of several memberships in two queries (a detail page lists them all)."""
    memberships = list(memberships)
    if not memberships:
        return []
    spans = {m.pk: (m.joined_on.year if m.joined_on else until_year,
                    min(until_year, m.left_on.year) if m.left_on else until_year) for m in memberships}
    first, last = min(s for s, _e in spans.values()), max(e for _s, e in spans.values())
    rates = {
        (org_id, role, year): amount
        for org_id, role, year, amount in DuesRate.objects.filter(
            org_id__in={m.org_id for m in memberships}, year__range=(first, last)
        ).values_list("org_id", "role", "year", "amount")
    }
    paid = {
        (mid, year): total
        for mid, year, total in DuesPayment.objects.filter(membership__in=memberships, year__range=(first, last))
        .values_list("membership_id", "year").annotate(total=Sum("amount")).values_list("membership_id", "year", "total")
    }
    result = []
    for m in memberships:
        start, end = spans[m.pk]
        rows = []
        for year in range(start, end + 1):
            due = rates.get((m.org_id, m.role, year), Decimal("0.00"))
            got = paid.get((m.pk, year)) or Decimal("0.00")
            rows.append({"year": year, "due": due, "paid": got, "owed": max(due - got, Decimal("0.00"))})
        result.append((m, rows))
    return result


def dues_statement(membership: Membership, until_year: int) -> list[dict]:
    """Per year since joining: the fee due for the member's position, what was paid, what is owed."""
    start = membership.joined_on.year if membership.joined_on else until_year
    end = min(until_year, membership.left_on.year) if membership.left_on else until_year
    rates = {
        r.year: r.amount
        for r in DuesRate.objects.filter(org_id=membership.org_id, role=membership.role, year__range=(start, end))
    }
    paid = dict(
        membership.payments.filter(year__range=(start, end))
        .values_list("year")
        .annotate(total=Sum("amount"))
        .values_list("year", "total")
    )
    rows = []
    for year in range(start, end + 1):
        due = rates.get(year, Decimal("0.00"))
        got = paid.get(year) or Decimal("0.00")
        rows.append({"year": year, "due": due, "paid": got, "owed": max(due - got, Decimal("0.00"))})
    return rows
