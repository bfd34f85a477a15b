"""Give the moved model its old content type, so the permissions groups already hold
(change_unit for the reorganisation screen) and the admin's history stay attached."""

from django.db import migrations


def rename(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    old_ct = ContentType.objects.using(db).filter(app_label=old, model="unit").first()
    if old_ct is None:
        return  # a new database: post_migrate creates the new one
    new_ct = ContentType.objects.using(db).filter(app_label=new, model="unit").first()
    if new_ct is None:
        old_ct.app_label = new
        old_ct.save(update_fields=["app_label"])
        return
    # Both exist (post_migrate ran in between): keep the old rows, which groups and
    # log entries point at, and drop the empty new ones.
    Permission.objects.using(db).filter(content_type=new_ct).delete()
    new_ct.delete()
    old_ct.app_label = new
    old_ct.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    rename(apps, schema_editor, "broadcast", "units")


def backwards(apps, schema_editor):
    rename(apps, schema_editor, "units", "broadcast")


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
