"""A real browser on a 360 px phone loses signal: the confirmation waits on the
phone, the page says so, and it is sent (once) when the signal returns."""

from datetime import timedelta

import pytest
from django.utils import timezone

from broadcast.models import Confirmation, PlannedAiring, Station
from broadcast.services import schedule_create
from cms.models import RadioItemPage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wagtail_roots(transactional_db):
    """An earlier transactional test's flush removed the rows the migrations made
    (locale, root page, root collection, role groups); put them back before the
    demo loads. Does nothing when this test runs first."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    if not Page.objects.exists():
        Page.add_root(title="Root", slug="root")
    from django.contrib.auth.models import Group, Permission

    from cms.roles import ROLE_PERMISSIONS

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, _model, codename in perms:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )


def test_offline_confirmation_is_queued_then_sent_once(
    live_server, browser, wagtail_roots, demo, artifacts_dir
):
    item = demo.add_child(
        instance=RadioItemPage(
            title="Bản tin buổi sáng", slug="ban-tin-sang", format="news"
        )
    )
    item.save_revision().publish()
    today = timezone.localdate()
    schedule_create(
        item=item,
        start_date=today,
        end_date=today + timedelta(days=1),
        target_kind="stations",
        target_stations=[Station.objects.get(code="dx-tan-phu-loa")],
        slot_times=["00:00"],
    )
    ctx = browser.new_context(viewport={"width": 360, "height": 800}, locale="en-US")
    page = ctx.new_page()
    page.goto(live_server.url + "/station/")
    page.fill("#id_username", "xa.tanphu")
    page.fill("#id_password", "loa-demo")
    page.click("form.login button[type=submit]")
    page.wait_for_url("**/station/")
    page.wait_for_load_state("networkidle")

    ctx.set_offline(True)
    section = page.locator("section.airing", has_text="Bản tin buổi sáng").first
    section.locator("button[name=status][value=aired]").click()
    queue = page.locator("#queue")
    queue.wait_for(state="visible")
    assert "Bản tin buổi sáng" in queue.inner_text()
    assert section.locator(".state.queued").count() == 1
    page.screenshot(
        path=f"{artifacts_dir}/commune-offline-queued-360.png", full_page=True
    )
    assert Confirmation.objects.count() == 0

    # Signal returns: the queue sends it and the page reloads with the server's account.
    with page.expect_navigation(timeout=30000):
        ctx.set_offline(False)
    page.wait_for_load_state()
    assert page.locator(".messages li.success").count() == 1
    assert page.locator("#queue").is_hidden()
    airing = (
        PlannedAiring.objects.filter(station__code="dx-tan-phu-loa")
        .order_by("planned_at")
        .first()
    )
    assert airing.status == PlannedAiring.Status.AIRED
    assert Confirmation.objects.count() == 1
    conf = Confirmation.objects.get()
    page.screenshot(
        path=f"{artifacts_dir}/commune-offline-sent-360.png", full_page=True
    )

    # The same entry sent again (its answer was lost on the way): still one.
    token = next(c["value"] for c in ctx.cookies() if c["name"] == "csrftoken")
    page.evaluate(
        """([airing, u, token]) => {
          localStorage.setItem('loa-confirm-queue', JSON.stringify([{airing: airing,
            title: 'x', fields: {airing: airing, uuid: u, status: 'aired',
            csrfmiddlewaretoken: token}}]));
          window.dispatchEvent(new Event('online')); }""",
        [str(airing.pk), str(conf.uuid), token],
    )
    # Polled from Python: the page's CSP forbids wait_for_function's eval.
    for _ in range(100):
        left = page.evaluate(
            "() => JSON.parse(localStorage.getItem('loa-confirm-queue') || '[]').length"
        )
        if left == 0:
            break
        page.wait_for_timeout(300)
    assert left == 0
    assert Confirmation.objects.count() == 1
    ctx.close()
