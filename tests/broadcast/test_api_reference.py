"""The station API's reference page: read from the OpenAPI schema, in Vietnamese,
loaded from the server alone, and linked from the station pages."""

from __future__ import annotations

import json
import re
from html import unescape

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from ninja import NinjaAPI, Query, Schema

from broadcast.api import api
from broadcast.api_reference import STATUS_MEANINGS, api_reference
from tests.cms.test_admin_vietnamese import english_left_on
from tests.exhibitions.test_offline_pages import external_loads

URL = "/station/api/"


class Thing(Schema):
    """The body of a made-up endpoint (module level: ninja resolves annotations)."""

    label: str
    count: int | None = None


def _page(language: str = "vi") -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _sections(html: str) -> dict[str, str]:
    """Each endpoint's section by its id."""
    return dict(
        re.findall(
            r'<section class="endpoint" id="([^"]+)">(.*?)</section>', html, re.S
        )
    )


def _english_schema() -> dict:
    with translation.override("en"):
        return json.loads(json.dumps(api.get_openapi_schema(), default=str))


def test_every_operation_and_parameter_of_the_schema_is_on_the_page(db):
    html = _page()
    sections = _sections(html)
    schema = api.get_openapi_schema()
    operations = [
        (method, path, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]
    assert len(operations) >= 16
    reference = api_reference(schema)
    assert len(sections) == len(operations) == len(reference.endpoints)
    for endpoint, (method, path, op) in zip(
        reference.endpoints, operations, strict=True
    ):
        section = unescape(sections[endpoint.anchor])
        assert f"{method.upper()}</span> <code>{path}</code>" in section
        for parameter in op.get("parameters", ()):
            assert f"<code>{parameter['name']}</code>" in section, (path, parameter)
        for status in op["responses"]:
            assert f"<code>{status}</code>" in section, (path, status)


def test_the_page_is_vietnamese_with_no_english_msgid_or_summary_left(db):
    html = _page("vi")
    assert '<html lang="vi">' in html
    # Field and parameter names are what programs send, so they stay as they are,
    # in <code>; every other word on the page is Vietnamese.
    identifiers = set(re.findall(r"<code>([^<]*)</code>", html))
    prose = re.sub(r"<code>[^<]*</code>", "", html)
    assert english_left_on(prose) == set()
    assert english_left_on(html) <= identifiers
    text = unescape(html)
    english = _english_schema()
    for ops in english["paths"].values():
        for op in ops.values():
            assert op["summary"] not in text
            if op.get("description"):
                assert op["description"] not in text
            for parameter in op.get("parameters", ()):
                if parameter.get("description"):
                    assert parameter["description"] not in text
    assert english["info"]["description"] not in text
    with translation.override("en"):
        meanings = {str(m) for m in STATUS_MEANINGS.values()}
    assert not {m for m in meanings if m in text}
    assert "Khóa công khai để kiểm tra danh sách tệp của gói" in text
    assert "Cần mã thông báo của đài" in text


def test_the_page_follows_the_visitors_language(db):
    text = unescape(_page("en"))
    assert '<html lang="en">' in _page("en")
    assert "Public key for verifying package manifests" in text
    assert "Planned airings for the caller" in text


def test_the_openapi_schema_carries_the_translated_summaries(db):
    vi = Client(HTTP_ACCEPT_LANGUAGE="vi").get("/api/v1/openapi.json")
    en = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/openapi.json")
    assert vi.status_code == en.status_code == 200
    keys_vi = json.loads(vi.content)["paths"]["/api/v1/keys"]["get"]["summary"]
    keys_en = json.loads(en.content)["paths"]["/api/v1/keys"]["get"]["summary"]
    assert keys_en == "Public key for verifying package manifests"
    assert keys_vi == "Khóa công khai để kiểm tra danh sách tệp của gói"


def test_the_page_loads_nothing_from_outside_and_needs_no_account(db):
    html = _page()
    assert external_loads(html) == []
    assert 'href="/api/v1/docs"' in html
    assert 'href="/api/v1/openapi.json"' in html


def test_an_endpoint_added_to_an_api_shows_without_touching_the_page():
    probe = NinjaAPI(urls_namespace="reference_probe", title="Probe", version="9")

    @probe.post(
        "/things/{thing_id}",
        summary="Make a thing",
        response={201: Thing, 422: Thing},
    )
    def make_thing(request, thing_id: int, payload: Thing, loud: bool = Query(False)):
        return 201, payload

    reference = api_reference(probe.get_openapi_schema(path_prefix="/probe/"))
    (endpoint,) = reference.endpoints
    assert (endpoint.method, endpoint.path) == ("POST", "/probe/things/{thing_id}")
    assert endpoint.summary == "Make a thing"
    assert {(p.name, p.required) for p in endpoint.parameters} == {
        ("thing_id", True),
        ("loud", False),
    }
    assert {(f.name, f.type, f.required) for f in endpoint.body_fields} == {
        ("label", "string", True),
        ("count", "integer", False),
    }
    assert [r.status for r in endpoint.responses] == [201, 422]
    assert [f.name for f in endpoint.responses[0].fields] == ["label", "count"]


def test_station_pages_link_to_the_reference(demo):
    link = f'href="{reverse("broadcast:api_reference")}"'
    assert reverse("broadcast:api_reference") == URL
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username="dai.dongxoai"))
    for page in ("/station/", "/station/packages/"):
        assert link in client.get(page).content.decode(), page
