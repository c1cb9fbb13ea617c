from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Children and referrals"

    def ready(self) -> None:
        post_migrate.connect(prepare_reference_sequences, sender=self)


def prepare_reference_sequences(sender, using, apps=None, **kwargs) -> None:
    """After every migrate, as the tables' owner: the reference sequences of last year,
    this year and the next few (referrals/references.py), so that the application's role,
    which creates nothing, finds the coming years' ready."""
    from django.apps import apps as installed

    from referrals.references import ensure_sequences, years_to_prepare

    try:  # flush sends no state: the installed models are the state then
        (apps or installed).get_model("referrals", "ReferenceSequence")
    except LookupError:  # migrated back to before the referrals' tables
        return
    ensure_sequences(years_to_prepare(), using=using)
