"""The public site: what it shows, what it hides, and how it answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from wagtail.models import PageViewRestriction

from cms.models import Campaign, Language, PosterPage, RadioItemPage, Theme

from .conftest import make_image, publish

pytestmark = pytest.mark.django_db


def gallery(client, **params):
    with translation.override("en"):
        return client.get("/gallery/", params, HTTP_ACCEPT_LANGUAGE="en")


def titles(response) -> list[str]:
    return [card.page.title for card in response.context["results"].cards]


def test_gallery_lists_published_items_and_exhibitions(client, poster, exhibition):
    response = gallery(client)
    assert response.status_code == 200
    assert set(titles(response)) == {poster.title, exhibition.title}


def test_gallery_leaves_out_drafts_expired_future_and_private_items(
    client, library, poster
):
    today = timezone.localdate()
    draft = PosterPage(title="Bản nháp", slug="nhap", image=make_image(), live=False)
    library.add_child(instance=draft)
    draft.save_revision()
    publish(
        library,
        PosterPage(
            title="Hết hạn", slug="het-han", valid_until=today - timedelta(days=1)
        ),
    )
    publish(
        library,
        PosterPage(
            title="Chưa tới", slug="chua-toi", valid_from=today + timedelta(days=1)
        ),
    )
    private = publish(library, PosterPage(title="Nội bộ", slug="noi-bo"))
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    assert titles(gallery(client)) == [poster.title]


@pytest.mark.parametrize(
    "setup",
    ["draft", "unpublished", "expired_validity", "wagtail_expired", "login_restricted"],
)
def test_pages_the_public_may_not_see_answer_404(client, library, setup):
    page = PosterPage(title="Ẩn", slug="an", image=make_image())
    if setup == "draft":
        page.live = False
        library.add_child(instance=page)
        page.save_revision()
    else:
        publish(library, page)
    url = page.url
    if setup == "unpublished":
        page.unpublish()
    elif setup == "expired_validity":
        page.valid_until = timezone.localdate() - timedelta(days=1)
        page.save_revision().publish()
    elif setup == "wagtail_expired":
        PosterPage.objects.filter(pk=page.pk).update(expired=True)
    elif setup == "login_restricted":
        PageViewRestriction.objects.create(page=page, restriction_type="login")
    assert client.get(url).status_code == 404


def test_group_restricted_page_is_shown_to_members(client, library, django_user_model):
    page = publish(library, PosterPage(title="Cán bộ", slug="can-bo"))
    group = Group.objects.create(name="cán bộ")
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type="groups"
    )
    restriction.groups.add(group)
    assert client.get(page.url).status_code == 404
    user = django_user_model.objects.create_user("canbo", password="x")
    user.groups.add(group)
    client.force_login(user)
    assert client.get(page.url).status_code == 200


def test_search_ignores_vietnamese_diacritics(client, library):
    publish(
        library, RadioItemPage(title="Quyền con người ở xã", slug="a", format="news")
    )
    publish(library, RadioItemPage(title="Đường giao thông", slug="b", format="news"))
    assert titles(gallery(client, q="quyen con nguoi")) == ["Quyền con người ở xã"]
    assert titles(gallery(client, q="DUONG")) == ["Đường giao thông"]
    assert titles(gallery(client, q="Quyền")) == ["Quyền con người ở xã"]


def test_gallery_filters_by_type_theme_campaign_year_and_language(
    client, library, poster, exhibition
):
    theme = Theme.objects.create(name="Bình đẳng giới")
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Chiến dịch", task=1, start_date=today, end_date=today
    )
    stieng = Language.objects.get_or_create(code="stg", defaults={"name": "S'tiêng"})[0]
    radio = RadioItemPage(
        title="Phát thanh", slug="r", format="news", campaign=campaign, language=stieng
    )
    publish(library, radio)
    radio.themes.add(theme)
    radio.save_revision().publish()
    assert titles(gallery(client, type="poster")) == [poster.title]
    assert titles(gallery(client, type="exhibition")) == [exhibition.title]
    assert titles(gallery(client, theme=theme.pk)) == ["Phát thanh"]
    assert titles(gallery(client, campaign=campaign.pk)) == ["Phát thanh"]
    assert titles(gallery(client, language="stg")) == ["Phát thanh"]
    assert len(titles(gallery(client, year=today.year))) == 3
    assert titles(gallery(client, year=today.year - 5)) == []


@pytest.mark.parametrize(
    "params",
    [
        {"type": "<script>"},
        {"theme": "abc"},
        {"campaign": "1;drop"},
        {"year": "99999"},
        {"year": "x"},
        {"page": "-3"},
        {"page": "zz"},
        {"q": "x" * 5000},
    ],
)
def test_gallery_ignores_filter_values_that_cannot_be_right(client, poster, params):
    response = gallery(client, **params)
    assert response.status_code == 200
    if "q" not in params:
        assert titles(response) == [poster.title]


def test_gallery_paginates(client, library):
    for i in range(30):
        publish(
            library, RadioItemPage(title=f"Tin {i:02d}", slug=f"tin-{i}", format="news")
        )
    first, second = gallery(client), gallery(client, page=2)
    assert len(titles(first)) == 24 and len(titles(second)) == 6
    assert not set(titles(first)) & set(titles(second))
    assert b'rel="next"' in first.content


def test_item_page_shows_responsive_picture_open_graph_and_transcript(client, poster):
    poster.transcript = "<p>Lời tranh</p>"
    poster.save_revision().publish()
    html = client.get(poster.url).content.decode()
    assert 'type="image/avif"' in html and 'type="image/webp"' in html
    assert "srcset=" in html
    assert 'alt="Mô tả poster"' in html
    assert 'property="og:image"' in html and 'property="og:title"' in html
    assert "Lời tranh" in html
    assert "data-lightbox" in html


def test_every_image_on_public_pages_has_alt_text(client, poster, exhibition, home):
    import re

    for url in ["/", "/gallery/", poster.url, exhibition.url]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<img\b[^>]*>", html):
            assert re.search(r'\balt="[^"]+"', tag), (url, tag)


def test_pages_declare_their_language(client, poster):
    assert '<html lang="vi">' in client.get(poster.url).content.decode()
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get(poster.url).content.decode()


def test_language_switch_works_without_a_csrf_token(client, poster):
    client = client.__class__(enforce_csrf_checks=True)
    response = client.post("/language/", {"language": "en", "next": poster.url})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_home_shows_campaigns_latest_items_and_upcoming_stops(
    client, poster, exhibition
):
    today = timezone.localdate()
    Campaign.objects.create(
        name="Chiến dịch hiện tại", task=1, start_date=today, end_date=today
    )
    with translation.override("en"):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Chiến dịch hiện tại" in html
    assert poster.title in html
    assert "Nhà văn hoá xã" in html and exhibition.title in html


def test_security_headers_on_public_pages_and_admin_keeps_working(
    admin_client, client, poster
):
    response = client.get(poster.url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    admin = admin_client.get("/admin/")
    assert admin.status_code == 200
    assert "Content-Security-Policy" not in admin


def test_public_pages_carry_no_inline_script_or_style(client, poster, exhibition):
    for url in ["/", "/gallery/", poster.url, exhibition.url]:
        html = client.get(url).content.decode()
        assert "<style" not in html and " style=" not in html, url
        assert "<script>" not in html, url


def test_feeds_list_new_items(client, poster, exhibition):
    rss = client.get("/feed/rss/")
    atom = client.get("/feed/atom/")
    assert rss.status_code == atom.status_code == 200
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert atom["Content-Type"].startswith("application/atom+xml")
    for response in (rss, atom):
        assert poster.title in response.content.decode()
        assert exhibition.title in response.content.decode()


def test_sitemap_lists_items_but_not_expired_ones(client, library, poster):
    old = publish(
        library,
        PosterPage(
            title="Cũ",
            slug="cu",
            valid_until=timezone.localdate() - timedelta(days=1),
        ),
    )
    xml = client.get("/sitemap.xml").content.decode()
    assert poster.url in xml
    assert old.url not in xml


def test_missing_pages_answer_404_in_the_site_layout(client, library):
    with translation.override("en"):
        response = client.get("/khong-co/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Search the gallery" in response.content


def test_csp_allows_media_from_an_external_media_storage(client, poster, settings):
    settings.MEDIA_URL = "https://media.example.vn/loa/"
    csp = client.get(poster.url)["Content-Security-Policy"]
    assert "img-src 'self' data: https://media.example.vn;" in csp
    assert "media-src 'self' https://media.example.vn;" in csp


def test_station_pages_get_a_csp_that_keeps_their_inline_styles(client):
    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp
    assert "script-src 'self';" in csp
