"""Setting up units and the review workflow: collections, library folders, groups
and their permissions. Idempotent: every call finds what exists before creating."""

from __future__ import annotations

import importlib

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from loa.units.models import Unit

from . import roles
from .models import LibraryIndexPage, TechnicalCheckTask
from .text import vn_slugify

# Names are data shown in the admin, so they are Vietnamese (migration 0006 renames
# rows made under the old English names).
WORKFLOW_NAME = "Quy trình duyệt Loa"
TECHNICAL_CHECK_NAME = "Kiểm tra kỹ thuật"
APPROVAL_NAME = "Người duyệt phê duyệt"
ROOT_COLLECTION_NAME = "Thư viện tỉnh"


def base_setup() -> None:
    """Put back the rows migrations create, where they are missing: the default
    locale, Wagtail's root page and root collection, Loa's role groups and the
    plan's languages and audiences.

    A restored partial dump, or a test database flushed by a transactional test,
    lacks them; load_demo and setup_editorial start here so they work on either.
    """
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale

    from .models import Audience, Language

    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name=ROOT_COLLECTION_NAME)
    for role, perms in roles.ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, _model, codename in perms:
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm:
                group.permissions.add(perm)
    # The lists live in the migration that first made them.
    data = importlib.import_module("cms.migrations.0003_roles_and_reference_data")
    for code, name in data.LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})
    for code, name in data.AUDIENCES:
        Audience.objects.get_or_create(code=code, defaults={"name": name})


def _page_perm(codename: str) -> Permission:
    return Permission.objects.get(
        content_type__app_label="wagtailcore", codename=codename
    )


def _collection_perms() -> list[Permission]:
    return [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in roles.COLLECTION_PERMISSIONS
    ]


def district_succession(*, old: Unit, successor: Unit) -> tuple[list[str], dict]:
    """Carry a closing unit's library and editors' group over to its successor
    (the 2025 reorganisation); returns what changed, for the preview and the log.

    The rule, chosen to be the least surprising and never to widen anyone's reach
    beyond the old unit's level:
    - the successor has a library (its own collection, or the province's root):
      the old collection moves under it, so the successor's editors reach the old
      media and the old editors keep their own;
    - it has none (a rename, or a merge into a new unit): it takes the old
      collection over, and the old group is renamed to the successor's;
    - the old editors gain the successor's collection and folder only when the
      successor is at the old unit's level (a district merged into a district):
      a district dissolved into the province does not make its editors province
      staff; their scope follows their communes instead (broadcast.scope).
    """
    said: list[str] = []
    data: dict = {}
    group = Group.objects.filter(name=district_group_name(old)).first()
    if group is not None:
        data["editors_group"] = group.name
    library = old.collection
    if library is None:
        return said, data
    data["collection"] = library.pk
    root = Collection.get_first_root_node()
    home = successor.collection or (
        root if successor.level == Unit.Level.PROVINCE else None
    )
    if home is None:
        old.collection = None
        old.save(update_fields=["collection"])
        successor.collection = library
        successor.save(update_fields=["collection"])
        library.name = successor.name
        library.save(update_fields=["name"])
        said.append(
            _("The library of %(old)s now belongs to %(new)s.")
            % {"old": old.name, "new": successor.name}
        )
        if (
            group is not None
            and not Group.objects.filter(name=district_group_name(successor)).exists()
        ):
            group.name = district_group_name(successor)
            group.save(update_fields=["name"])
            said.append(
                _("The editors of %(old)s are now the editors of %(new)s.")
                % {"old": old.name, "new": successor.name}
            )
        return said, data
    if library.get_parent().pk == home.pk:
        said.append(
            _("The library of %(old)s stays in the library of %(new)s.")
            % {"old": old.name, "new": successor.name}
        )
    else:
        library.move(home, pos="sorted-child")
        said.append(
            _("The library of %(old)s moves into the library of %(new)s.")
            % {"old": old.name, "new": successor.name}
        )
    if group is not None and successor.level == old.level:
        for permission in _collection_perms():
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=home, permission=permission
            )
        folder = district_library(successor)
        if folder is not None:
            for codename in roles.PAGE_PERMISSIONS[roles.DISTRICT_EDITOR]:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=folder, permission=_page_perm(codename)
                )
        said.append(
            _("The editors of %(old)s may also edit the library of %(new)s.")
            % {"old": old.name, "new": successor.name}
        )
    elif group is not None:
        said.append(
            _(
                "The editors of %(old)s keep their library and the units that took "
                "over its parts; they gain nothing of %(new)s."
            )
            % {"old": old.name, "new": successor.name}
        )
    return said, data


def district_group_name(unit: Unit) -> str:
    return f"{roles.DISTRICT_EDITOR} — {unit.name}"


def district_library(unit: Unit) -> LibraryIndexPage | None:
    return LibraryIndexPage.objects.filter(
        slug=f"thu-vien-{vn_slugify(unit.name)}"
    ).first()


@transaction.atomic
def district_setup(*, unit: Unit, library: LibraryIndexPage | None = None) -> Group:
    """Give a district its collection, its library folder and its editors' group.

    The group edits pages under the district's folder and media in the district's
    collection only; province roles hold the same permissions on the roots.
    """
    root_collection = Collection.get_first_root_node()
    if unit.collection_id is None:
        existing = root_collection.get_children().filter(name=unit.name).first()
        unit.collection = existing or root_collection.add_child(name=unit.name)
        unit.save(update_fields=["collection"])
    folder = district_library(unit)
    if folder is None and library is not None:
        folder = library.add_child(
            instance=LibraryIndexPage(
                title=f"Thư viện {unit.name}",
                slug=f"thu-vien-{vn_slugify(unit.name)}",
            )
        )
        folder.save_revision().publish()
    group, _ = Group.objects.get_or_create(name=district_group_name(unit))
    group.permissions.add(
        *Group.objects.get(name=roles.DISTRICT_EDITOR).permissions.all()
    )
    if folder is not None:
        for codename in roles.PAGE_PERMISSIONS[roles.DISTRICT_EDITOR]:
            GroupPagePermission.objects.get_or_create(
                group=group, page=folder, permission=_page_perm(codename)
            )
    for permission in _collection_perms():
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=unit.collection, permission=permission
        )
    return group


@transaction.atomic
def province_setup(*, library: LibraryIndexPage) -> None:
    """Province roles edit (and reviewers publish) the whole library and all media."""
    root_collection = Collection.get_first_root_node()
    for role in (roles.PROVINCE_EDITOR, roles.PROVINCE_REVIEWER):
        group = Group.objects.get(name=role)
        for codename in roles.PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(
                group=group, page=library, permission=_page_perm(codename)
            )
        for permission in _collection_perms():
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )


@transaction.atomic
def workflow_setup(*, library: LibraryIndexPage) -> Workflow:
    """Loa's review workflow on the library: technical check, then a reviewer.

    Replaces Wagtail's default "Moderators approval" on the root page, so no page
    goes live through a group Loa does not use.
    """
    technical, _ = TechnicalCheckTask.objects.get_or_create(name=TECHNICAL_CHECK_NAME)
    approval, _ = GroupApprovalTask.objects.get_or_create(name=APPROVAL_NAME)
    approval.groups.add(Group.objects.get(name=roles.PROVINCE_REVIEWER))
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    for order, task in enumerate([technical, approval]):
        WorkflowTask.objects.update_or_create(
            workflow=workflow, task=task, defaults={"sort_order": order}
        )
    WorkflowPage.objects.update_or_create(page=library, defaults={"workflow": workflow})
    root = Page.get_first_root_node()
    for link in WorkflowPage.objects.filter(page=root).exclude(workflow=workflow):
        old = link.workflow
        link.delete()
        if not old.workflow_pages.exists():
            old.deactivate()
    return workflow
