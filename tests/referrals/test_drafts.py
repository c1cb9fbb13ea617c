"""Drafts are saved on the server as the referrer goes; two tabs on one draft must not
undo each other's pages."""

import pytest

from referrals import drafts
from referrals.models import ReferralDraft

pytestmark = pytest.mark.django_db


def test_two_tabs_saving_different_pages_keep_both(referrer):
    draft = drafts.start_draft(by=referrer)
    first_tab = ReferralDraft.objects.get(pk=draft.pk)
    second_tab = ReferralDraft.objects.get(pk=draft.pk)  # read before the first tab saves

    drafts.save_section(first_tab, "concerns", {"worry": ["Bruises on both arms"]})
    drafts.save_section(second_tab, "child-world", {"child_voice": ["She said she is scared"]})

    saved = ReferralDraft.objects.get(pk=draft.pk).data["sections"]
    assert saved == {
        "concerns": {"worry": ["Bruises on both arms"]},
        "child-world": {"child_voice": ["She said she is scared"]},
    }
    assert second_tab.data["sections"] == saved  # the caller's copy is current


def test_a_child_added_in_one_tab_survives_a_child_changed_in_another(referrer):
    draft = drafts.start_draft(by=referrer)
    drafts.save_child(draft, None, {"child_first_name": ["Ava"]})
    stale = ReferralDraft.objects.get(pk=draft.pk)

    added = drafts.save_child(draft, None, {"child_first_name": ["Leo"]})
    drafts.save_child(stale, 0, {"child_first_name": ["Ava-Mae"]})

    children = ReferralDraft.objects.get(pk=draft.pk).data["children"]
    assert added == 1
    assert children == [{"child_first_name": ["Ava-Mae"]}, {"child_first_name": ["Leo"]}]
