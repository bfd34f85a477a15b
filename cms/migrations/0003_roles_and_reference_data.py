"""Roles as groups, and the reference lists the plan names (languages, audiences)."""

from django.db import migrations

LANGUAGES = [
    ("vi", "Tiếng Việt"),
    ("stieng", "Tiếng S'tiêng"),
    ("km", "Tiếng Khmer"),
    ("mnong", "Tiếng M'nông"),
    ("tay", "Tiếng Tày"),
    ("nung", "Tiếng Nùng"),
]
AUDIENCES = [
    ("officials", "Lãnh đạo, cán bộ, công chức, viên chức"),
    ("minorities-religious", "Đồng bào dân tộc thiểu số, tôn giáo, người có uy tín"),
    ("intellectuals", "Trí thức"),
    ("youth", "Thanh niên, học sinh, sinh viên"),
    ("press", "Báo chí"),
    ("public", "Người dân"),
]


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from cms.roles import ROLE_PERMISSIONS

    # Permissions are normally made after migrate; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, model, codename in perms:
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm:
                group.permissions.add(perm)
    Language = apps.get_model("cms", "Language")
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})
    Audience = apps.get_model("cms", "Audience")
    for code, name in AUDIENCES:
        Audience.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_initial"),
        ("broadcast", "0001_initial"),
        ("media_pipeline", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailmedia", "0005_alter_media_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
