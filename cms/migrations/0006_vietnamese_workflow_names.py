"""Workflow, task and root-collection names are data the admin shows: Vietnamese."""

from django.db import migrations

# Old English name -> Vietnamese, for rows made by Wagtail's migrations or by
# cms.setup before the names changed.
WORKFLOWS = {
    "Loa review": "Quy trình duyệt Loa",
    "Moderators approval": "Duyệt của người kiểm duyệt",
}
TASKS = {
    "Technical check": "Kiểm tra kỹ thuật",
    "Reviewer approval": "Người duyệt phê duyệt",
    "Moderators approval": "Duyệt của người kiểm duyệt",
}
ROOT_COLLECTION = ("Root", "Thư viện tỉnh")


def name_in_vietnamese(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Collection = apps.get_model("wagtailcore", "Collection")
    for english, vietnamese in WORKFLOWS.items():
        Workflow.objects.filter(name=english).update(name=vietnamese)
    for english, vietnamese in TASKS.items():
        Task.objects.filter(name=english).update(name=vietnamese)
    Collection.objects.filter(depth=1, name=ROOT_COLLECTION[0]).update(
        name=ROOT_COLLECTION[1]
    )


def name_in_english(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Collection = apps.get_model("wagtailcore", "Collection")
    for english, vietnamese in WORKFLOWS.items():
        Workflow.objects.filter(name=vietnamese).update(name=english)
    for english, vietnamese in TASKS.items():
        Task.objects.filter(name=vietnamese).update(name=english)
    Collection.objects.filter(depth=1, name=ROOT_COLLECTION[1]).update(
        name=ROOT_COLLECTION[0]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_district_editors_per_collection"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(name_in_vietnamese, name_in_english)]
