"""Practice insights for the teacher: how each routine lands with the visitors who shared
their sessions, over a period, with a weekly chart drawn as SVG on the server."""

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

from .models import Routine, RoutineStep, SharedSession

CHART_WIDTH = 640
CHART_LEFT = 44  # room for the axis figures
CHART_RIGHT = 8
PANEL_HEIGHT = 90
PANEL_GAP = 34  # between the panels, for the second panel's name
CHART_TOP = 20  # room for the first panel's name
CHART_BOTTOM = 24  # room for the week labels
MAX_WEEK_LABELS = 6


@dataclass
class Week:
    starts_on: date
    sessions: int = 0
    changes: list[int] = field(default_factory=list)

    @property
    def median_change(self) -> float | None:
        return statistics.median(self.changes) if self.changes else None


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    """The geometry of a routine's weekly chart, in the SVG's own units."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    lines: tuple[str, ...]  # polyline points, one per run of weeks with a median change
    points: tuple[Point, ...]
    axis_labels: tuple[Label, ...]
    week_labels: tuple[Label, ...]
    sessions_top: float
    sessions_bottom: float
    change_top: float
    change_zero: float
    change_bottom: float


@dataclass
class RoutineInsight:
    routine: Routine
    sessions: int
    completed: int
    gentle: int
    ended_early_at: int | None  # the stretch most ended-early sessions stopped at
    ended_early_at_count: int
    ended_early_at_title: str
    median_change: float | None
    rated_sessions: int  # with both tightness ratings
    worse: int
    felt: int  # with a check-in answer
    weeks: list[Week]
    chart: Chart

    @property
    def completion_rate(self) -> float:
        return self.completed / self.sessions

    @property
    def gentle_share(self) -> float:
        return self.gentle / self.sessions

    @property
    def worse_share(self) -> float | None:
        return self.worse / self.felt if self.felt else None

    @property
    def is_flagged(self) -> bool:
        """More than PSOASAPP_INSIGHTS_WORSE_SHARE felt worse, of enough answers to say so."""
        return (
            self.felt >= settings.PSOASAPP_INSIGHTS_MIN_SESSIONS
            and self.worse_share > settings.PSOASAPP_INSIGHTS_WORSE_SHARE
        )

    @property
    def chart_summary(self) -> str:
        """The chart in words, for its <desc>."""
        busiest = max(self.weeks, key=lambda week: week.sessions)
        medians = [week.median_change for week in self.weeks if week.median_change is not None]
        text = (
            f"{self.sessions} shared session{'s' if self.sessions != 1 else ''} over "
            f"{len(self.weeks)} week{'s' if len(self.weeks) != 1 else ''}; the busiest week, "
            f"starting {busiest.starts_on:%-d %b %Y}, had {busiest.sessions}."
        )
        if medians:
            text += (
                f" The weekly median change in tightness went from {signed(min(medians))} "
                f"to {signed(max(medians))}."
            )
        else:
            text += " No session rated tightness both before and after."
        return text


def signed(value: float) -> str:
    """A change as people write it: +2, 0, −1.5."""
    text = f"{abs(value):g}"
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else "0"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_between(start: date, end: date) -> list[Week]:
    first, last = monday(start), monday(end)
    return [Week(first + timedelta(weeks=n)) for n in range((last - first).days // 7 + 1)]


def routine_insights(start: date, end: date) -> list[RoutineInsight]:
    """Each routine with sessions shared from `start` to `end` (both included), by title."""
    shared = list(
        SharedSession.objects.shared_between(start, end)
        .select_related("routine")
        .order_by("routine__title", "routine__pk", "shared_on", "pk")
    )
    by_routine: dict[int, list[SharedSession]] = defaultdict(list)
    for session in shared:
        by_routine[session.routine_id].append(session)
    titles: dict[int, list[str]] = defaultdict(list)
    steps = RoutineStep.objects.filter(routine__in=by_routine).select_related("stretch")
    for step in steps.order_by("routine", "order", "pk"):
        titles[step.routine_id].append(step.stretch.title)
    return [
        routine_insight(sessions, titles[pk], start, end) for pk, sessions in by_routine.items()
    ]


def routine_insight(
    sessions: Sequence[SharedSession], step_titles: Sequence[str], start: date, end: date
) -> RoutineInsight:
    ended = Counter(s.ended_at_step for s in sessions if not s.is_completed)
    # The most common stopping place; of equally common ones, the earliest.
    step, count = min(ended.items(), key=lambda item: (-item[1], item[0]), default=(None, 0))
    changes = [s.tightness_change for s in sessions if s.tightness_change is not None]
    weeks = weeks_between(start, end)
    for session in sessions:
        week = weeks[(monday(session.shared_on) - weeks[0].starts_on).days // 7]
        week.sessions += 1
        if session.tightness_change is not None:
            week.changes.append(session.tightness_change)
    return RoutineInsight(
        routine=sessions[0].routine,
        sessions=len(sessions),
        completed=sum(s.is_completed for s in sessions),
        gentle=sum(s.is_gentle for s in sessions),
        ended_early_at=step,
        ended_early_at_count=count,
        ended_early_at_title=(
            step_titles[step - 1] if step is not None and step <= len(step_titles) else ""
        ),
        median_change=statistics.median(changes) if changes else None,
        rated_sessions=len(changes),
        worse=sum(s.feeling == SharedSession.Feeling.WORSE for s in sessions),
        felt=sum(bool(s.feeling) for s in sessions),
        weeks=weeks,
        chart=weekly_chart(weeks),
    )


def weekly_chart(weeks: Sequence[Week]) -> Chart:
    """Bars of sessions per week above, the median change in tightness below (0 in the middle)."""
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    slot = plot_width / len(weeks)
    sessions_top = CHART_TOP
    sessions_bottom = sessions_top + PANEL_HEIGHT
    change_top = sessions_bottom + PANEL_GAP
    change_bottom = change_top + PANEL_HEIGHT
    change_zero = (change_top + change_bottom) / 2
    most = max(week.sessions for week in weeks) or 1
    medians = [week.median_change for week in weeks]
    reach = max([2, *(abs(m) for m in medians if m is not None)])

    def x_of(index: int) -> float:
        return round(CHART_LEFT + slot * (index + 0.5), 1)

    bars = []
    for index, week in enumerate(weeks):
        if week.sessions:
            height = PANEL_HEIGHT * week.sessions / most
            width = max(slot * 0.7, 1)
            bars.append(
                Bar(
                    round(x_of(index) - width / 2, 1),
                    round(sessions_bottom - height, 1),
                    round(width, 1),
                    round(height, 1),
                )
            )
    points, lines, run = [], [], []
    for index, median in enumerate(medians):
        if median is None:
            if len(run) > 1:
                lines.append(" ".join(f"{p.x},{p.y}" for p in run))
            run = []
            continue
        point = Point(x_of(index), round(change_zero - (PANEL_HEIGHT / 2) * median / reach, 1))
        points.append(point)
        run.append(point)
    if len(run) > 1:
        lines.append(" ".join(f"{p.x},{p.y}" for p in run))

    axis_x = CHART_LEFT - 6
    axis_labels = (
        Label(axis_x, sessions_top + 4, str(most)),
        Label(axis_x, sessions_bottom, "0"),
        Label(axis_x, change_top + 4, signed(reach)),
        Label(axis_x, change_zero + 4, "0"),
        Label(axis_x, change_bottom, signed(-reach)),
    )
    every = -(-len(weeks) // MAX_WEEK_LABELS)  # ceiling division
    week_labels = tuple(
        Label(x_of(index), change_bottom + 16, f"{week.starts_on:%-d %b}")
        for index, week in enumerate(weeks)
        if index % every == 0
    )
    return Chart(
        width=CHART_WIDTH,
        height=int(change_bottom + CHART_BOTTOM),
        bars=tuple(bars),
        lines=tuple(lines),
        points=tuple(points),
        axis_labels=axis_labels,
        week_labels=week_labels,
        sessions_top=sessions_top,
        sessions_bottom=sessions_bottom,
        change_top=change_top,
        change_zero=change_zero,
        change_bottom=change_bottom,
    )
