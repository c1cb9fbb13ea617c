from django.db import migrations


def empty_sent_drafts(apps, schema_editor):
    """Drafts sent before sending emptied them still hold what was typed (children's
    names, dates of birth, the worry); the referrals hold what was sent. Drafts are not
    history-tracked, so an update leaves no copy behind."""
    ReferralDraft = apps.get_model("referrals", "ReferralDraft")
    ReferralDraft.objects.filter(submission__isnull=False).exclude(data={}).update(data={})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_coaching_three_houses_pattern_and_diversity_asked")]

    operations = [migrations.RunPython(empty_sent_drafts, migrations.RunPython.noop)]
