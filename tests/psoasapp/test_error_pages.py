"""The site's own error pages, as a visitor sees them with DEBUG off."""

import pytest
from django.test import RequestFactory

from psoasapp.views import server_error


def test_server_error_page_is_calm_and_standalone():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert 'href="/"' in html


@pytest.mark.django_db
def test_not_found_page_offers_a_way_on(client):
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We couldn" in html
    assert 'href="/stretches/"' in html
