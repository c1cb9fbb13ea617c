from django import template

from triage.footprint import describe_snapshot

register = template.Library()


@register.filter
def known_at_decision(decision) -> list[str]:
    """What was known when the decision was made, in words (triage/footprint.py)."""
    return describe_snapshot(decision.known_at_decision or {})
