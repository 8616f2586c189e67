"""Practice insights: the figures per routine on a known data set, the chart, the admin page."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from routines.insights import routine_insights, weekly_chart, weeks_between
from routines.models import SharedSession
from tests.factories import make_routine, make_stretch
from tests.psoasapp.test_security_headers import assert_no_inline_code

pytestmark = pytest.mark.django_db

URL = "/admin/routines/sharedsession/insights/"
START, END = date(2026, 3, 2), date(2026, 3, 22)  # three weeks, Monday to Sunday
WORSE = SharedSession.Feeling.WORSE


def shared(routine, day, *, done=True, step=None, gentle=False, before=None, after=None, feel=""):
    return SharedSession.objects.create(
        routine=routine,
        shared_on=day,
        is_completed=done,
        ended_at_step=None if done else step,
        is_gentle=gentle,
        tightness_before=before,
        tightness_after=after,
        feeling=feel,
    )


@pytest.fixture
def evening():
    return make_routine(
        {"stretch": make_stretch(title="Constructive rest")},
        {"stretch": make_stretch(title="Low lunge")},
        {"stretch": make_stretch(title="Knee to chest")},
        title="Evening unwind",
    )


@pytest.fixture
def data_set(evening):
    """Six sessions of Evening unwind and one of Morning opener in the period, two outside."""
    morning = make_routine({}, title="Morning opener")
    make_routine({}, title="Nobody shared this one")
    week1, week3 = START, START + timedelta(weeks=2)
    shared(evening, week1, before=6, after=3, feel="better")
    shared(evening, week1 + timedelta(days=2), done=False, step=2, gentle=True, before=5, after=5)
    SharedSession.objects.filter(pk=SharedSession.objects.latest("pk").pk).update(feeling="same")
    shared(evening, week1 + timedelta(days=6), done=False, step=2, after=4, feel=WORSE)
    shared(evening, week3, gentle=True, before=8, after=4, feel="better")
    shared(evening, week3 + timedelta(days=1), done=False, step=3, before=4, after=6, feel=WORSE)
    shared(evening, END, before=7, after=6)
    shared(morning, week3, before=3, after=2, feel="better")
    shared(evening, START - timedelta(days=1), done=False, step=1, feel=WORSE)  # before it
    shared(evening, END + timedelta(days=1), done=False, step=1, feel=WORSE)  # after it
    return evening, morning


def test_each_routine_with_shares_gets_its_figures(data_set):
    evening, morning = data_set
    insights = routine_insights(START, END)
    assert [insight.routine for insight in insights] == [evening, morning]
    first = insights[0]
    assert first.sessions == 6
    assert (first.completed, first.completion_rate) == (3, 0.5)
    assert (first.ended_early_at, first.ended_early_at_count) == (2, 2)
    assert first.ended_early_at_title == "Low lunge"
    # Changes -3, 0, -4, +2, -1 (one session rated only after): the median is -1.
    assert (first.median_change, first.rated_sessions) == (-1, 5)
    assert (first.worse, first.felt, first.worse_share) == (2, 5, 0.4)
    assert (first.gentle, first.gentle_share) == (2, 2 / 6)
    assert first.is_flagged


def test_the_weeks_hold_their_sessions_and_median_change(data_set):
    first = routine_insights(START, END)[0]
    assert [(w.starts_on, w.sessions, w.median_change) for w in first.weeks] == [
        (date(2026, 3, 2), 3, -1.5),
        (date(2026, 3, 9), 0, None),
        (date(2026, 3, 16), 3, -1),
    ]


def test_a_routine_that_went_well_is_not_flagged_and_has_no_early_end(data_set):
    second = routine_insights(START, END)[1]
    assert (second.sessions, second.completion_rate, second.median_change) == (1, 1.0, -1)
    assert (second.ended_early_at, second.ended_early_at_title) == (None, "")
    assert second.worse_share == 0
    assert not second.is_flagged


def test_flagging_needs_more_than_the_share_of_enough_answers(data_set, settings):
    settings.PSOASAPP_INSIGHTS_WORSE_SHARE = 0.4  # 2 of 5 is not more than 40%
    assert not routine_insights(START, END)[0].is_flagged
    settings.PSOASAPP_INSIGHTS_WORSE_SHARE = 0.3
    settings.PSOASAPP_INSIGHTS_MIN_SESSIONS = 6  # only 5 answered
    assert not routine_insights(START, END)[0].is_flagged


def test_of_equally_common_stopping_places_the_earliest_is_named(evening):
    for step in (3, 3, 1, 1, 2):
        shared(evening, START, done=False, step=step)
    assert routine_insights(START, END)[0].ended_early_at == 1


def test_weeks_run_monday_to_sunday_around_the_period():
    weeks = weeks_between(date(2026, 3, 4), date(2026, 3, 16))
    assert [week.starts_on for week in weeks] == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]


def test_the_chart_draws_a_bar_per_week_with_sessions_and_the_change_around_zero(data_set):
    chart = routine_insights(START, END)[0].chart
    assert len(chart.bars) == 2
    assert all(bar.height == chart.sessions_bottom - chart.sessions_top for bar in chart.bars)
    assert len(chart.points) == 2
    assert all(point.y > chart.change_zero for point in chart.points), "looser is below zero"
    assert chart.lines == (), "a week without ratings breaks the line"
    assert [label.text for label in chart.axis_labels] == ["3", "0", "+2", "0", "−2"]


def test_consecutive_weeks_with_changes_are_joined_by_a_line():
    weeks = weeks_between(START, END)
    for week, change in zip(weeks, (-2, 1, -4), strict=True):
        week.sessions, week.changes = 1, [change]
    chart = weekly_chart(weeks)
    [line] = chart.lines
    assert len(line.split()) == 3
    assert chart.axis_labels[2].text == "+4"


# The admin page -----------------------------------------------------------------------


def period_query(start=START, end=END) -> str:
    return f"?start={start.isoformat()}&end={end.isoformat()}"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("teacher", password="x", is_staff=True)


def test_visitors_and_signed_in_non_staff_are_sent_to_sign_in(client, django_user_model):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert client.get(URL)["Location"].startswith("/admin/login/")


def test_staff_need_the_permission_to_see_shared_sessions(client, staff):
    client.force_login(staff)
    assert client.get(URL).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_sharedsession"))
    assert client.get(URL).status_code == 200


def test_the_page_shows_each_routines_figures_and_the_flag(admin_client, data_set):
    response = admin_client.get(URL + period_query())
    assert response.status_code == 200
    html = response.content.decode()
    assert "From <strong>2 Mar 2026</strong> to <strong>22 Mar 2026</strong>" in html
    section = html[html.index("Evening unwind") : html.index("Morning opener")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "Sessions shared 6" in text
    assert "Completed 50% (3 of 6)" in text
    assert "stretch 2, Low lunge" in text
    assert "Median change in tightness −1" in text
    assert "Felt worse 40%" in text
    assert "In gentle mode 33%" in text
    assert "40% felt worse after this routine" in text
    assert "shorter holds" in text and "gentle mode by default" in text
    assert "Nobody shared this one" not in html
    assert "felt worse after this routine" not in html[html.index("Morning opener") :]


def test_the_chart_is_svg_with_a_title_a_description_and_a_table(admin_client, data_set):
    html = admin_client.get(URL + period_query()).content.decode()
    svg = re.search(r'<svg[^>]*role="img".*?</svg>', html, re.S)[0]
    assert re.search(r'aria-labelledby="chart-\d+-title chart-\d+-desc"', svg)
    assert "<title id=" in svg and "Weekly sessions and median change" in svg
    assert "6 shared sessions over 3 weeks" in svg
    assert svg.count("<rect") == 2 and svg.count("<circle") == 2
    assert "<table>" in html and '<th scope="row">9 Mar 2026</th><td>0</td><td>–</td>' in html
    assert "<script" not in svg and "http" not in svg.replace("http://www.w3.org", "")


def test_the_page_runs_no_inline_code(admin_client, data_set):
    response = admin_client.get(URL + period_query())
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert_no_inline_code(response.content.decode(), nonce and nonce[1])


def test_without_dates_it_shows_the_last_twelve_weeks(admin_client, evening):
    today = timezone.localdate()
    shared(evening, today)
    shared(evening, today - timedelta(days=84))  # a day too early
    response = admin_client.get(URL)
    assert response.context["period"] == (today - timedelta(days=83), today)
    [insight] = response.context["insights"]
    assert insight.sessions == 1
    presets = response.context["presets"]
    assert [preset["label"] for preset in presets] == [
        "Last 4 weeks",
        "Last 12 weeks",
        "Last 12 months",
    ]
    assert [preset["is_current"] for preset in presets] == [False, True, False]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?start=2026-03-22&end=2026-03-02", "The first date is after the second one."),
        ("?start=2026-03-02", "Give both dates"),
        ("?start=2020-01-01&end=2026-01-01", "at most three years"),
        ("?start=yesterday&end=2026-03-02", "Enter a valid date."),
    ],
)
def test_wrong_dates_are_explained_and_nothing_is_reported(admin_client, data_set, query, message):
    response = admin_client.get(URL + query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["insights"] == []


def test_a_period_with_no_shares_says_so(admin_client, data_set):
    html = admin_client.get(URL + period_query(date(2025, 1, 1), date(2025, 2, 1))).content
    assert b"No sessions were shared in this period." in html


def test_the_admin_index_links_to_the_page_for_those_who_may_see_it(admin_client, client, staff):
    assert f'href="{URL}"'.encode() in admin_client.get("/admin/").content
    client.force_login(staff)
    assert f'href="{URL}"'.encode() not in client.get("/admin/").content


def test_shared_sessions_are_listed_read_only_with_a_link_to_the_insights(admin_client, data_set):
    html = admin_client.get("/admin/routines/sharedsession/").content.decode()
    assert f'href="{URL}"' in html
    assert "/admin/routines/sharedsession/add/" not in html
    assert admin_client.get("/admin/routines/sharedsession/add/").status_code == 403
