"""My pairings and my giving: the pairs the member is a side of, with their follow-ups; its donations and receipts.

Pairs are found through the pairing participants that are the member's person or one of its
enterprises; donations through their donor (the member's person or one of its enterprises).
Follow-ups are recorded by the association's staff (pairing.services needs a grant), so they are
read-only here.
"""
from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from charity.models import Donation
from pairing.models import FollowUp, Pair, Participant
from portal.access import member_required, my_enterprises


def my_participants(member):
    """The pairing participants that are the member's person or one of its enterprises."""
    return Participant.objects.filter(Q(person=member.person) | Q(enterprise__in=my_enterprises(member)))


def my_pairs(member):
    """The pairs one of whose sides is the member (or one of its enterprises), newest first."""
    mine = my_participants(member).values("pk")
    return (Pair.objects.filter(Q(helper__in=mine) | Q(beneficiary__in=mine))
            .select_related("program", "helper", "beneficiary", "org")
            .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("-date", "-pk")))
            .order_by("-started_on", "-pk"))


def my_donations(member):
    """The donations the member gave, in its own name or its enterprises', newest first."""
    return (Donation.objects.filter(Q(donor_person=member.person) | Q(donor_enterprise__in=my_enterprises(member)))
            .select_related("fund", "org").order_by("-received_on", "-pk"))


def side_of(pair, participant_ids) -> str:
    """"helper" or "beneficiary": which side of the pair the member is."""
    return "helper" if pair.helper_id in participant_ids else "beneficiary"


@member_required
def pairs(request):
    """The pairs I am in, each with the other side and its latest follow-ups."""
    member = request.member
    mine = set(my_participants(member).values_list("pk", flat=True))
    rows = [(p, side_of(p, mine)) for p in my_pairs(member)]
    return render(request, "portal/giving/pairs.html", {"section": "pairings", "member": member, "rows": rows})


@member_required
def pair_detail(request, pk):
    """One of my pairs and every follow-up recorded against it."""
    member = request.member
    pair = get_object_or_404(my_pairs(member), pk=pk)
    mine = set(my_participants(member).values_list("pk", flat=True))
    return render(request, "portal/giving/pair_detail.html", {
        "section": "pairings", "member": member, "pair": pair, "side": side_of(pair, mine),
        "follow_ups": pair.follow_ups.all()})


@member_required
def donations(request):
    """My donations, with their receipt numbers and a link to each receipt."""
    member = request.member
    rows = list(my_donations(member))
    total = sum((d.value for d in rows), 0)
    return render(request, "portal/giving/donations.html", {
        "section": "giving", "member": member, "rows": rows, "total": total})


@member_required
def receipt(request, pk):
    """The receipt of one of my donations, as PDF."""
    from charity.receipts import receipt_pdf

    donation = get_object_or_404(my_donations(request.member), pk=pk)
    response = HttpResponse(receipt_pdf(donation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{donation.receipt_number}.pdf"'
    return response
