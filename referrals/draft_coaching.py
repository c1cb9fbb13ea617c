"""The coaching prompts for what a referral draft says, and the draft's record of those
shown to the referrer, written to referrals.CoachingPrompt when it is sent
(referrals.coaching words the prompts)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from agencies.models import Agency
from core.numbers import whole_number
from referrals import coaching, forms
from referrals.draft_sections import CHILD_WORLD, CONCERNS, RECEIVED, stored
from referrals.draft_store import write_draft
from referrals.models import CoachingPrompt, ReferralDraft

COACHED_SECTIONS = {CONCERNS.slug, CHILD_WORLD.slug}


def _first(raw: dict | None, name: str) -> str:
    values = (raw or {}).get(name) or [""]
    return values[0] or ""


def coaching_agency_type(draft: ReferralDraft) -> str | None:
    """The agency type the prompts are worded for: the referrer's own agency, or for a
    call recorded by the front door, the caller's agency where one was given."""
    if not draft.data.get("on_behalf", False):
        agency = draft.owner.agency
        return agency.type if agency else None
    agency_id = whole_number(_first(stored(draft, RECEIVED.slug), "caller_agency"))
    if agency_id is not None:
        return Agency.objects.filter(pk=agency_id).values_list("type", flat=True).first()
    return None


def coaching_prompts(
    draft: ReferralDraft, *, posted: dict | None = None, slug: str | None = None
) -> list[coaching.Prompt]:
    """The prompts for the referral as written so far: for the fields of section ``slug``
    only (with ``posted``, the raw input being typed, in place of what is saved), or for
    every coached field."""
    concerns = stored(draft, CONCERNS.slug)
    world = stored(draft, CHILD_WORLD.slug)
    if slug == CONCERNS.slug and posted is not None:
        concerns = posted
    if slug == CHILD_WORLD.slug and posted is not None:
        world = posted
    texts = {
        coaching.WORRY: _first(concerns, "worry"),
        coaching.LIVED_EXPERIENCE: _first(world, "lived_experience"),
        coaching.CHILD_VOICE: _first(world, "child_voice"),
        coaching.HISTORY: _first(world, "history_and_pattern"),
    }
    if slug == CONCERNS.slug:
        fields: tuple[str, ...] = (coaching.WORRY,)
    elif slug == CHILD_WORLD.slug:
        fields = (coaching.LIVED_EXPERIENCE, coaching.CHILD_VOICE, coaching.HISTORY)
    else:
        fields = coaching.COACHED_FIELDS
    names = tuple(_first(child, "child_first_name") for child in draft.data.get("children", []))
    return coaching.coach(
        texts,
        agency_type=coaching_agency_type(draft),
        child_names=names,
        pattern=_first(world, "new_or_pattern"),
        voice_houses=tuple(_first(world, name) for name in forms.VOICE_HOUSES),
        fields=fields,
    )


def unseen(draft: ReferralDraft, prompts: list[coaching.Prompt]) -> list[coaching.Prompt]:
    shown = draft.data.get("coaching", {})
    return [p for p in prompts if p.key not in shown]


def shown_while_typing(post, prompts: list[coaching.Prompt] = ()) -> list[str]:
    """The prompt keys the page has shown while the referrer typed: those the page
    carried in its ``coaching_shown`` field (unknown keys dropped) and ``prompts``.
    The live endpoint hands them back to the page rather than writing the draft, so a
    keystroke's request never contends with "Save and continue" for the draft's row;
    the section's POST records them."""
    known = {f"{f}:{r}" for f in coaching.COACHED_FIELDS for r in coaching.RULES}
    keys = [k for k in (post.get("coaching_shown") or "").split() if k in known]
    keys += [p.key for p in prompts if not p.refused]
    return list(dict.fromkeys(keys))


def record_shown(draft: ReferralDraft, prompts: list[coaching.Prompt]) -> None:
    """Note in the draft when each prompt was first shown to the referrer; written to
    referrals.CoachingPrompt when the referral is sent."""
    record_shown_keys(draft, [p.key for p in prompts])


def record_shown_keys(draft: ReferralDraft, keys: list[str]) -> None:
    if all(key in draft.data.get("coaching", {}) for key in keys):
        return
    now = timezone.now().isoformat()

    def change(data: dict) -> None:
        record = data.setdefault("coaching", {})
        for key in keys:
            record.setdefault(key, {"shown_at": now})

    write_draft(draft, change)


def _explanations(draft: ReferralDraft) -> dict[str, str]:
    raw = {**(stored(draft, CONCERNS.slug) or {}), **(stored(draft, CHILD_WORLD.slug) or {})}
    return {
        field: _first(raw, name).strip()[: forms.EXPLANATION_MAX]
        for field, name in forms.EXPLANATIONS.items()
    }


def record_coaching(draft: ReferralDraft, referrals) -> None:
    """At submission: one CoachingPrompt per prompt shown, for each child's referral,
    with what became of it. A prompt that still fires but was never recorded as shown
    (the check page shows every prompt, so this is rare) counts as shown now."""
    final = coaching_prompts(draft)
    record_shown(draft, [p for p in final if not p.refused])
    still = {p.key for p in final}
    explanations = _explanations(draft)
    agency_type = coaching_agency_type(draft) or ""
    rows = []
    for key, entry in draft.data.get("coaching", {}).items():
        field, rule = key.split(":", 1)
        outcome = coaching.outcome(key, still_shown=still, explanations=explanations)
        for referral in referrals:
            rows.append(
                CoachingPrompt(
                    referral=referral,
                    field=field,
                    rule=rule,
                    agency_type=agency_type,
                    shown_at=datetime.fromisoformat(entry["shown_at"]),
                    outcome=outcome,
                    explanation=explanations[field] if outcome == coaching.EXPLAINED else "",
                )
            )
    CoachingPrompt.objects.bulk_create(rows)
