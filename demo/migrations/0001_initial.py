"""Marks of accounts given a demo password, for production's start-up check
(demo.guard), and the accounts an earlier demo left with one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Accounts made before the marks existed: the demo's own and the superusers are the
# only ones an earlier load_demo (or the old start-up check) knew of. The names and
# passwords are the demo's of the time, spelled out as a migration must be.
EARLIER_DEMO_USERNAMES = [
    "admin",
    "bientap.tinh",
    "duyet.tinh",
    "bientap.dongxoai",
    "dai.dongxoai",
    "xa.tanphu",
]
EARLIER_DEMO_PASSWORDS = ["loa-demo", "loa-admin"]


def mark_earlier_demo_accounts(apps, schema_editor):
    from django.contrib.auth.hashers import check_password
    from django.db.models import Q

    User = apps.get_model(settings.AUTH_USER_MODEL)
    Mark = apps.get_model("demo", "DemoPasswordMark")
    for user in User.objects.filter(
        Q(username__in=EARLIER_DEMO_USERNAMES) | Q(is_superuser=True)
    ):
        if any(check_password(p, user.password) for p in EARLIER_DEMO_PASSWORDS):
            Mark.objects.create(user=user, password=user.password)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DemoPasswordMark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'account with a demo password',
                'verbose_name_plural': 'accounts with a demo password',
            },
        ),
        migrations.RunPython(mark_earlier_demo_accounts, migrations.RunPython.noop),
    ]
