from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def mark_new_accounts_with_a_demo_password(sender, instance, created, **kwargs):
    # set_password() + save() reaches the validators (DemoPasswordValidator);
    # the managers' create_user() stores a hash directly and does not.
    if not created or kwargs.get("raw") or instance._password is not None:
        return
    from .guard import demo_password_mark_new_account

    demo_password_mark_new_account(instance)
