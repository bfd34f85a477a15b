"""District editors lose model-level media, image and document permissions: those
apply to every collection. They get them per district collection (cms.setup)."""

from django.db import migrations

from cms.roles import DISTRICT_EDITOR

MEDIA_MODEL_PERMS = [
    ("wagtailmedia", "add_media"),
    ("wagtailmedia", "change_media"),
    ("media_pipeline", "add_loaimage"),
    ("media_pipeline", "change_loaimage"),
    ("media_pipeline", "choose_loaimage"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = [
        p
        for app_label, codename in MEDIA_MODEL_PERMS
        for p in Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        )
    ]
    groups = Group.objects.filter(name=DISTRICT_EDITOR) | Group.objects.filter(
        name__startswith=f"{DISTRICT_EDITOR} — "
    )
    for group in groups:
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_technical_check_task"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
