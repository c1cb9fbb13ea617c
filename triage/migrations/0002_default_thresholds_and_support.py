"""Default threshold levels and support services; administrators change them in the
admin to match the local threshold document."""

from django.db import migrations

LEVELS = [
    (
        1,
        "Universal",
        "Children whose needs are met by universal services: school, GP, "
        "health visitor. No additional support needed.",
    ),
    (
        2,
        "Early help",
        "Children with emerging or additional needs that a single agency or "
        "a co-ordinated early help plan can meet, with the family's agreement.",
    ),
    (
        3,
        "Child in need (section 17)",
        "Children with complex needs whose health or "
        "development is likely to be significantly impaired without services from "
        "children's social care: a child and family assessment.",
    ),
    (
        4,
        "Child protection (section 47)",
        "Children suffering, or likely to suffer, "
        "significant harm: a strategy discussion and child protection enquiries.",
    ),
]

SUPPORT = [
    (
        "Family Information Service",
        "Free information on childcare, activities and support for families.",
        "Search 'Family Information Service' on the council website",
    ),
    (
        "School nursing drop-in",
        "Confidential health advice for children and young people at school.",
        "Ask the school office for the school nurse",
    ),
    (
        "Early Help Hub",
        "Support for families before problems grow, with the family's agreement.",
        "Ask the front door for an early help referral form",
    ),
    (
        "Domestic abuse helpline",
        "Free, confidential support for anyone affected by domestic abuse, 24 hours a day.",
        "National Domestic Abuse Helpline: 0808 2000 247",
    ),
]


def add_defaults(apps, schema_editor):
    ThresholdLevel = apps.get_model("triage", "ThresholdLevel")
    SupportService = apps.get_model("triage", "SupportService")
    for level, name, descriptor in LEVELS:
        ThresholdLevel.objects.get_or_create(
            level=level, defaults={"name": name, "descriptor": descriptor}
        )
    for name, description, contact in SUPPORT:
        SupportService.objects.get_or_create(
            name=name, defaults={"description": description, "contact": contact}
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
