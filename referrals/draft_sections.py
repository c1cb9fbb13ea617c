"""The pages of the referral form, in the order a draft is filled in, and what a draft
holds of each (referrals.drafts)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from referrals import forms
from referrals.models import ReferralDraft


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    form_class: type
    staff_only: bool = False
    referrer_only: bool = False


RECEIVED = Section("received", "How the referral was received", forms.ReceivedForm, staff_only=True)
CONCERNS = Section("concerns", "Concerns", forms.ConcernsForm)
CHILD_WORLD = Section("child-world", "The child's world", forms.ChildWorldForm)
FAMILY = Section("family", "Family and household", forms.FamilyForm)
NEXT_STEPS = Section("next-steps", "What needs to happen", forms.NextStepsForm)
CONTACT = Section("your-details", "Your contact details", forms.ContactForm, referrer_only=True)
FORM_SECTIONS = [RECEIVED, CONCERNS, CHILD_WORLD, FAMILY, NEXT_STEPS, CONTACT]
CHILDREN = "children"


def sections_for(draft: ReferralDraft) -> list[Section]:
    on_behalf = draft.data.get("on_behalf", False)
    return [
        s
        for s in FORM_SECTIONS
        if not (s.staff_only and not on_behalf) and not (s.referrer_only and on_behalf)
    ]


def flow_for(draft: ReferralDraft) -> list[str]:
    """The order of pages: sections with the children's page after 'received'."""
    slugs = [s.slug for s in sections_for(draft)]
    position = 1 if slugs and slugs[0] == RECEIVED.slug else 0
    return slugs[:position] + [CHILDREN] + slugs[position:] + ["check"]


def next_page(draft: ReferralDraft, slug: str) -> str:
    flow = flow_for(draft)
    return flow[flow.index(slug) + 1]


def previous_page(draft: ReferralDraft, slug: str) -> str | None:
    """The page before this one in the draft's order; None before the first."""
    flow = flow_for(draft)
    position = flow.index(slug)
    return flow[position - 1] if position else None


def section_by_slug(draft: ReferralDraft, slug: str) -> Section:
    for section in sections_for(draft):
        if section.slug == slug:
            return section
    raise Http404


def stored(draft: ReferralDraft, slug: str) -> dict | None:
    return draft.data.get("sections", {}).get(slug)
