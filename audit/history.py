"""django-simple-history's per-model ``history`` manager, made cheap to reach.

A tracked model's ``history`` attribute is a descriptor that, on every access, asks
``HistoryManager.from_queryset(...)`` for the manager's class, and Django builds that
class afresh each time (``type(...)`` over every public method of the queryset, found
with ``inspect.getmembers``): about 0.4 ms of CPU an access. Saving a tracked model
reaches it once (its ``post_save`` writes the history row through it), and so does each
``bulk_create_with_history``; a referral POST did it three times. The class depends only
on the manager and queryset classes, so it is made once per pair here.
"""

from __future__ import annotations

from simple_history.manager import HistoryManager


class ReusedClassHistoryManager(HistoryManager):
    """simple-history's manager, whose ``from_queryset`` class is made once."""

    _classes: dict = {}

    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        key = (cls, queryset_class, class_name)
        made = ReusedClassHistoryManager._classes.get(key)
        if made is None:
            made = super().from_queryset(queryset_class, class_name)
            ReusedClassHistoryManager._classes[key] = made
        return made
