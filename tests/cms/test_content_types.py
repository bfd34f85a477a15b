"""Content types and snippets created through the admin with Wagtail's test tools."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import (
    Campaign,
    ContentItemPage,
    HomePage,
    LibraryIndexPage,
    PhotoPage,
    PosterPage,
    RadioItemPage,
    Theme,
    VideoItemPage,
)

ITEM_TYPES = {RadioItemPage, VideoItemPage, PosterPage, PhotoPage}


class ContentTypesTests(WagtailPageTestCase):
    def setUp(self):
        self.user = get_user_model().objects.create_superuser("root", "r@x", "pw")
        self.client.force_login(self.user)
        root = Page.get_first_root_node()
        self.home = root.add_child(instance=HomePage(title="Trang chủ"))
        self.library = self.home.add_child(instance=LibraryIndexPage(title="Thư viện"))

    def test_items_live_only_in_library_folders(self):
        for model in ITEM_TYPES:
            self.assertAllowedParentPageTypes(model, {LibraryIndexPage})
            self.assertAllowedSubpageTypes(model, set())
        self.assertAllowedSubpageTypes(
            LibraryIndexPage, ITEM_TYPES | {LibraryIndexPage}
        )
        self.assertCanNotCreateAt(LibraryIndexPage, ContentItemPage)

    def _form(self, title, **fields):
        return nested_form_data(
            {
                "title": title,
                "slug": "",
                "summary": "Tóm tắt",
                "transcript": rich_text("<p>Kịch bản</p>"),
                "credits": "",
                "rights": "CC BY 4.0",
                "tags": "",
                # Radio items and videos have an inline of language versions.
                "language_versions": inline_formset([]),
                **fields,
            }
        )

    def test_each_item_type_is_created_through_the_admin(self):
        cases = [
            (RadioItemPage, {"format": "interview"}),
            (VideoItemPage, {}),
            (PosterPage, {}),
            (PhotoPage, {"kind": "painting"}),
        ]
        for model, fields in cases:
            title = f"Quyền con người — {model.__name__}"
            self.assertCanCreate(self.library, model, self._form(title, **fields))
            page = model.objects.get(title=title)
            self.assertEqual(page.rights, "CC BY 4.0")
            self.assertTrue(page.slug.startswith("quyen-con-nguoi"))

    def test_library_folder_is_created_through_the_admin(self):
        self.assertCanCreate(
            self.library,
            LibraryIndexPage,
            nested_form_data(
                {"title": "Thư viện Đồng Xoài", "slug": "", "intro": rich_text("")}
            ),
        )
        page = LibraryIndexPage.objects.get(title="Thư viện Đồng Xoài")
        self.assertEqual(page.slug, "thu-vien-dong-xoai")

    def test_campaign_and_theme_snippets_are_created_through_the_admin(self):
        response = self.client.post(
            reverse("wagtailsnippets_cms_campaign:add"),
            {
                "name": "Tuyên truyền 2027",
                "task": Campaign.Task.CONTESTS,
                "start_date": "2027-01-01",
                "end_date": "2027-12-31",
                "description": "",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Campaign.objects.get().task, Campaign.Task.CONTESTS)
        response = self.client.post(
            reverse("wagtailsnippets_cms_theme:add"), {"name": "Bình đẳng giới"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Theme.objects.filter(name="Bình đẳng giới").exists())

    def test_campaign_with_bad_dates_is_refused_with_form_errors(self):
        response = self.client.post(
            reverse("wagtailsnippets_cms_campaign:add"),
            {"name": "", "task": 9, "start_date": "hôm nay", "end_date": ""},
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"name", "task", "start_date", "end_date"})
        self.assertFalse(Campaign.objects.exists())
