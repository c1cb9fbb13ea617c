"""The default escalation procedure: practitioner to practitioner, then managers, then the
head of service. Administrators change the stages in the admin to match local procedure."""

from django.db import migrations

STAGES = [
    (1, "Practitioner to practitioner", "decision_maker", 2),
    (2, "Front door managers", "managers", 3),
    (3, "Head of service", "head_of_service", 5),
]


def add_stages(apps, schema_editor):
    EscalationStage = apps.get_model("triage", "EscalationStage")
    for order, name, owner, days in STAGES:
        EscalationStage.objects.get_or_create(
            order=order,
            defaults={"name": name, "owner": owner, "timescale_working_days": days},
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0004_challenges_and_escalation_stages")]

    operations = [migrations.RunPython(add_stages, migrations.RunPython.noop)]
