"""The operator sees views per day as an SVG chart drawn on the server, and views per page."""

import re
import xml.etree.ElementTree as ElementTree
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from stats.models import PageView

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def operator_http(http):
    get_user_model().objects.create_superuser("operator", password="a long operator password")
    page = http.get("/admin/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = http.post("/admin/login/?next=/admin/", data={
        "csrfmiddlewaretoken": token, "username": "operator", "password": "a long operator password"})
    assert response.status_code == 302
    return http


def test_report_draws_views_per_day_and_lists_pages(operator_http):
    today = timezone.now().date()
    PageView.objects.create(day=today, path="/en/", address="203.0.113.0", views=6)
    PageView.objects.create(day=today, path="/en/", address="198.51.100.0", views=2)
    PageView.objects.create(day=today, path="/en/", address="198.51.100.0", is_bot=True, views=3)
    PageView.objects.create(day=today - timedelta(days=3), path="/it/faq/", address="203.0.113.0", views=4)
    PageView.objects.create(day=today - timedelta(days=90), path="/old/", address="203.0.113.0", views=50)

    response = operator_http.get("/admin/stats/pageview/report/")
    assert response.status_code == 200
    svg = ElementTree.fromstring(re.search(r"<svg id=\"views-per-day\".*?</svg>", response.text, re.S).group(0))
    days = svg.findall(f"{SVG}g")
    assert len(days) == 30
    today_bar, earlier_bar = days[-1], days[-4]
    assert "8 by people, 3 by bots" in today_bar.find(f"{SVG}title").text
    assert "4 by people, 0 by bots" in earlier_bar.find(f"{SVG}title").text
    humans = float(today_bar.find(f"{SVG}rect[@class='humans']").get("height"))
    bots = float(today_bar.find(f"{SVG}rect[@class='bots']").get("height"))
    earlier = float(earlier_bar.find(f"{SVG}rect[@class='humans']").get("height"))
    assert humans + bots == pytest.approx(176)  # the busiest day fills the plot's height
    assert humans / earlier == pytest.approx(2)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>", response.text)
    assert rows == [("/en/", "8", "3", "2"), ("/it/faq/", "4", "0", "1")]


def test_report_is_for_the_operator_only(http):
    response = http.get("/admin/stats/pageview/report/")
    assert response.status_code == 302
    assert response.headers["location"].startswith("/admin/login/")
