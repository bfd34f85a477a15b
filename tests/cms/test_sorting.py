"""Lists sorted by title follow Vietnamese alphabetical order."""

import pytest

from cms.admin_forms import BulkUploadForm
from cms.models import LibraryIndexPage
from cms.text import vn_sort_key

pytestmark = pytest.mark.django_db


def test_vn_sort_key_orders_letters_and_tones_the_vietnamese_way():
    words = ["Đồng Xoài", "Bù Đốp", "Bình Long", "Chơn Thành", "Dầu Tiếng", "Ân", "An"]
    assert sorted(words, key=vn_sort_key) == [
        "An",
        "Ân",
        "Bình Long",
        "Bù Đốp",
        "Chơn Thành",
        "Dầu Tiếng",
        "Đồng Xoài",
    ]


def test_library_children_are_listed_in_vietnamese_order(demo):
    titles = [p.title for p in demo.children_by_title()]
    districts = [t.removeprefix("Thư viện ") for t in titles]
    # Đ is a letter of its own, after D and before E (a byte or accent-stripping
    # order would put it after Z or among the Ds).
    assert districts == [
        "Bình Long",
        "Bù Đăng",
        "Bù Đốp",
        "Bù Gia Mập",
        "Chơn Thành",
        "Đồng Phú",
        "Đồng Xoài",
        "Hớn Quản",
        "Lộc Ninh",
        "Phú Riềng",
        "Phước Long",
    ]


def test_library_listing_leaves_out_drafts(demo):
    demo.add_child(instance=LibraryIndexPage(title="Ấp nháp", live=False))
    assert "Ấp nháp" not in [p.title for p in demo.children_by_title()]


def test_bulk_upload_folders_are_offered_in_vietnamese_order(demo):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bientap.tinh")
    labels = [
        label
        for value, label in BulkUploadForm(user=user).fields["parent"].choices
        if value
    ]
    assert labels == sorted(labels, key=vn_sort_key)
    assert labels.index("Thư viện nội dung") == labels.index("Thư viện Lộc Ninh") + 1
