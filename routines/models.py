"""Stretches, routines built from them, breathing patterns and demo videos."""

import hashlib
import re
import uuid
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from . import cues as timed_cues
from .search import full_text_search, is_postgresql

# Seconds given to change sides (or to come out and go back in between
# repetitions). The session player uses the same figure, so the total time
# shown on a routine page is the time the session really takes.
TRANSITION_SECONDS = 5

# Where pages play a video's small (360p) rendition rather than the 720p one: narrow
# screens, and browsers asked to save data. The session player reads the same query.
SMALL_VIDEO_MEDIA = "(max-width: 640px), (prefers-reduced-data: reduce)"


def unique_slug(instance: models.Model, value: str, field: str = "slug") -> str:
    """A slug from `value` that no other row of the instance's model uses."""
    max_length = instance._meta.get_field(field).max_length
    base = slugify(value)[:max_length].strip("-") or "item"
    slug, n = base, 2
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    while others.filter(**{field: slug}).exists():
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


def _safe_extension(filename: str, default: str = "") -> str:
    """The file's extension if it is a plain short one (".mov", ".mp4"), else `default`."""
    extension = PurePosixPath(filename).suffix.lower()
    return extension if re.fullmatch(r"\.[a-z0-9]{1,8}", extension) else default


class SlugFromFieldMixin:
    """Fills an empty `slug` on save from the field named by `slug_source`, unique in its model.

    The slug is kept when the source field later changes, so saved links keep working.
    """

    slug_source = "title"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, getattr(self, self.slug_source))
        super().save(*args, **kwargs)


def video_upload_to(instance: "Video", filename: str) -> str:
    """Stored names are generated; the name the uploader gave is kept in a field."""
    return f"videos/originals/{uuid.uuid4().hex}{_safe_extension(filename)}"


def playable_upload_to(instance: "Video", filename: str) -> str:
    # Always .mp4: browsers and the streaming view go by the name, whatever the upload was.
    return f"videos/{uuid.uuid4().hex}.mp4"


def poster_upload_to(instance: "Video", filename: str) -> str:
    return f"posters/{uuid.uuid4().hex}{_safe_extension(filename, '.jpg')}"


def thumbnail_upload_to(instance: "Video", filename: str) -> str:
    return f"thumbnails/{uuid.uuid4().hex}.jpg"


def captions_upload_to(instance: "Video", filename: str) -> str:
    return f"captions/{uuid.uuid4().hex}.vtt"


class BreathingPattern(models.Model):
    """A breathing rhythm: seconds to breathe in, hold, breathe out and hold."""

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    inhale_seconds = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    hold_in_seconds = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(30)], help_text="Hold after breathing in."
    )
    exhale_seconds = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    hold_out_seconds = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(30)], help_text="Hold after breathing out."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "breathing pattern"
        verbose_name_plural = "breathing patterns"

    def __str__(self) -> str:
        return f"{self.name} ({self.rhythm})"

    @property
    def rhythm(self) -> str:
        """The counts of the phases there are: "4-6", "4-7-8" or "4-4-4-4"."""
        return "-".join(str(seconds) for _, seconds in self.phases())

    @property
    def cycle_seconds(self) -> int:
        return (
            self.inhale_seconds + self.hold_in_seconds + self.exhale_seconds + self.hold_out_seconds
        )

    def phases(self) -> list[tuple[str, int]]:
        """The phases of one breath with their seconds, leaving out empty holds."""
        phases = [
            ("Breathe in", self.inhale_seconds),
            ("Hold", self.hold_in_seconds),
            ("Breathe out", self.exhale_seconds),
            ("Hold", self.hold_out_seconds),
        ]
        return [(label, seconds) for label, seconds in phases if seconds]


class BodyArea(SlugFromFieldMixin, models.Model):
    """Where a stretch is felt: hips, lower back, thighs…"""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    slug_source = "name"

    class Meta:
        ordering = ["name"]
        verbose_name = "body area"
        verbose_name_plural = "body areas"

    def __str__(self) -> str:
        return self.name


class VideoQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=Video.Status.READY)

    def in_progress(self):
        """Videos waiting for the worker or being processed by it."""
        return self.filter(status__in=[Video.Status.PENDING, Video.Status.PROCESSING])


class Video(models.Model):
    """A demo video: the uploaded original and what browsers are given to play.

    A background task (routines.tasks.process_video) fills in the facts, the poster, the
    thumbnail and the playable file; the processing fields record how that is going.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    title = models.CharField(max_length=200)
    original = models.FileField(
        "original file",
        upload_to=video_upload_to,
        max_length=255,
        help_text="The file as uploaded; it is kept as it is.",
    )
    original_name = models.CharField(
        max_length=255, blank=True, editable=False, help_text="The file name the uploader gave."
    )
    playable = models.FileField(
        "playable file",
        upload_to=playable_upload_to,
        max_length=255,
        blank=True,
        editable=False,
        help_text="H.264/AAC MP4 with faststart, at most 720p: what browsers play by default.",
    )
    playable_small = models.FileField(
        "small playable file",
        upload_to=playable_upload_to,
        max_length=255,
        blank=True,
        editable=False,
        help_text="The same at most 360p, for phones, slow connections and offline copies.",
    )
    poster = models.ImageField(
        upload_to=poster_upload_to,
        max_length=255,
        blank=True,
        help_text="Shown before the video plays. Leave empty to use a frame from the video.",
    )
    thumbnail = models.ImageField(
        upload_to=thumbnail_upload_to, max_length=255, blank=True, editable=False
    )
    captions = models.FileField(
        upload_to=captions_upload_to,
        max_length=255,
        blank=True,
        help_text="Optional WebVTT captions (.vtt).",
    )

    # What the original holds. Width and height are as displayed, after any rotation a
    # phone recorded, so a portrait clip reads as portrait.
    duration_seconds = models.FloatField(null=True, blank=True, editable=False)
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    frame_rate = models.FloatField("frames per second", null=True, blank=True, editable=False)
    video_codec = models.CharField(max_length=40, blank=True, editable=False)
    audio_codec = models.CharField(max_length=40, blank=True, editable=False)
    bits_per_second = models.BigIntegerField(null=True, blank=True, editable=False)
    size_bytes = models.BigIntegerField(null=True, blank=True, editable=False)

    # What browsers are given.
    playable_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    playable_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    playable_size_bytes = models.BigIntegerField(null=True, blank=True, editable=False)
    playable_small_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    playable_small_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    playable_small_size_bytes = models.BigIntegerField(null=True, blank=True, editable=False)

    # Processing: pending → processing → ready | failed.
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True, editable=False
    )
    error_message = models.TextField(blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="Times processing has started for this file."
    )
    progress_percent = models.PositiveSmallIntegerField(default=0, editable=False)
    processing_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    processing_finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Last sign of life from the worker; a stale one means the worker died.",
    )
    # Each enqueue gets a new token and only the task holding the current one may write
    # results, so a task that was given up on (or superseded by a new upload) changes nothing.
    task_token = models.CharField(max_length=32, blank=True, editable=False)
    task_result_id = models.CharField(
        max_length=64, blank=True, editable=False, help_text="The queued task's result id."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VideoQuerySet.as_manager()

    SMALL_MEDIA = SMALL_VIDEO_MEDIA  # for templates

    class Meta:
        ordering = ["title"]
        verbose_name = "video"
        verbose_name_plural = "videos"

    def __str__(self) -> str:
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.playable)

    @property
    def playable_url(self) -> str:
        return self.playable.url if self.is_ready else ""

    @property
    def playable_small_url(self) -> str:
        """The 360p rendition; "" for a row processed before there was one (reprocess it)."""
        return self.playable_small.url if self.is_ready and self.playable_small else ""

    @property
    def poster_url(self) -> str:
        return self.poster.url if self.poster else ""

    @property
    def thumbnail_url(self) -> str:
        return self.thumbnail.url if self.thumbnail else self.poster_url

    @property
    def captions_url(self) -> str:
        return self.captions.url if self.captions else ""

    def stored_files(self) -> list[models.fields.files.FieldFile]:
        """Every file this row owns, so deleting the row can delete them."""
        files = [
            self.original,
            self.playable,
            self.playable_small,
            self.poster,
            self.thumbnail,
            self.captions,
        ]
        return [f for f in files if f]


def chapters_version(vtt: str) -> str:
    return hashlib.md5(vtt.encode(), usedforsecurity=False).hexdigest()[:12]


class StretchQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    # Weighted for ranking on PostgreSQL; migration 0003_stretch_search_index indexes them.
    SEARCH_FIELDS = (("title", "A"), ("summary", "B"), ("cues", "C"))

    def search(self, text: str):
        """Stretches whose title, summary or cues contain every word of `text`.

        On PostgreSQL words match by their stem ("stretching" finds "stretch"), the best
        matches come first, and `"phrase"`, `-word` and `or` work as in a web search.
        """
        if is_postgresql(self):
            return full_text_search(self, text, self.SEARCH_FIELDS).order_by(
                "-search_rank", "title"
            )
        qs = self
        for word in text.split():
            qs = qs.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(cues__icontains=word)
            )
        return qs


class Stretch(SlugFromFieldMixin, models.Model):
    """One stretch as the teacher teaches it: cues, a safety note, a demo video."""

    class Sides(models.TextChoices):
        NONE = "none", "Both sides at once"
        LEFT_RIGHT = "left_right", "Left, then right"

    class Level(models.TextChoices):
        GENTLE = "gentle", "Gentle"
        MODERATE = "moderate", "Moderate"
        DEEPER = "deeper", "Deeper"

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, blank=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences for lists.")
    cues = models.TextField(help_text="One cue per line, in the order they are given.")
    safety_note = models.TextField(blank=True)
    hold_seconds = models.PositiveSmallIntegerField(
        "default hold (seconds)",
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(600)],
    )
    sides = models.CharField(max_length=12, choices=Sides.choices, default=Sides.NONE)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.GENTLE)
    body_areas = models.ManyToManyField(BodyArea, blank=True, related_name="stretches")
    video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.SET_NULL, related_name="stretches"
    )
    is_published = models.BooleanField("published", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StretchQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = "stretch"
        verbose_name_plural = "stretches"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("routines:stretch_detail", kwargs={"slug": self.slug})

    def clean_fields(self, exclude=None):
        # Here rather than in clean(): a form without the cues field (the list's "published"
        # boxes) must not be refused over them, and clean() cannot tell.
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "cues" not in (exclude or ()) and "cues" not in errors:
            duration = self.video.duration_seconds if self.video_id and self.video else None
            if problems := timed_cues.cue_errors(self.cues, duration_seconds=duration):
                errors["cues"] = [ValidationError(p, code="cue_time") for p in problems]
        if errors:
            raise ValidationError(errors)

    @property
    def cue_items(self) -> list[timed_cues.Cue]:
        """The cues in order, timed only where the video can be taken to that moment."""
        video = self.video if self.video_id else None
        duration = video.duration_seconds if video is not None and video.is_ready else None
        return timed_cues.on_video(timed_cues.parse_cues(self.cues), duration)

    @property
    def cue_list(self) -> list[str]:
        """The words of each cue, without their times."""
        return [cue.text for cue in timed_cues.parse_cues(self.cues)]

    @property
    def has_timed_cues(self) -> bool:
        return any(cue.start_seconds is not None for cue in self.cue_items)

    def chapters_vtt(self) -> str:
        """The WebVTT chapters track of the video, one chapter per timed cue; "" when none."""
        if not self.has_timed_cues:
            return ""
        return timed_cues.chapters_vtt(
            timed_cues.chapters(self.cue_items, self.video.duration_seconds)
        )

    @property
    def chapters_url(self) -> str:
        """Where the chapters track is, named for its content so browsers may keep it long."""
        vtt = self.chapters_vtt()
        if not vtt:
            return ""
        url = reverse("routines:stretch_chapters", kwargs={"slug": self.slug})
        return f"{url}?v={chapters_version(vtt)}"

    @property
    def side_count(self) -> int:
        return 2 if self.sides == self.Sides.LEFT_RIGHT else 1

    @property
    def is_two_sided(self) -> bool:
        return self.sides == self.Sides.LEFT_RIGHT


class RoutineQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_duration(self):
        """Annotate `total_seconds` and `step_count`, computed in the database.

        Mirrors RoutineStep.duration_seconds: each step holds once per side and
        repetition, with a transition between holds and its rest after; the last
        step's rest is not counted because the session ends there.
        """
        holds = F("steps__repetitions") * Case(
            When(steps__stretch__sides=Stretch.Sides.LEFT_RIGHT, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        hold_seconds = Coalesce("steps__hold_seconds", "steps__stretch__hold_seconds")
        per_step = (
            holds * hold_seconds + (holds - 1) * TRANSITION_SECONDS + F("steps__rest_after_seconds")
        )
        last_rest = RoutineStep.objects.filter(routine=OuterRef("pk")).order_by("-order", "-pk")
        return self.annotate(
            _steps_seconds=Coalesce(Sum(per_step), 0),
            _last_rest=Coalesce(Subquery(last_rest.values("rest_after_seconds")[:1]), 0),
            step_count=models.Count("steps"),
        ).annotate(total_seconds=F("_steps_seconds") - F("_last_rest"))


class Routine(SlugFromFieldMixin, models.Model):
    """An ordered sequence of stretches, followed as a timed session."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, blank=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences for lists.")
    description = models.TextField(blank=True)
    breathing_pattern = models.ForeignKey(
        BreathingPattern,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routines",
        help_text="Used by every step that does not choose its own.",
    )
    is_published = models.BooleanField("published", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoutineQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = "routine"
        verbose_name_plural = "routines"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("routines:routine_detail", kwargs={"slug": self.slug})

    def get_session_url(self) -> str:
        return reverse("routines:routine_session", kwargs={"slug": self.slug})

    @property
    def duration_seconds(self) -> int:
        """Total time of a session, from the annotation when the queryset has one."""
        if hasattr(self, "total_seconds"):
            return self.total_seconds or 0
        steps = list(self.steps.all())
        if not steps:
            return 0
        return sum(step.duration_seconds for step in steps) - steps[-1].rest_after_seconds


class RoutineStep(models.Model):
    """One stretch in a routine, with this routine's hold, repetitions and rest."""

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="steps")
    stretch = models.ForeignKey(Stretch, on_delete=models.PROTECT, related_name="steps")
    order = models.PositiveSmallIntegerField(default=0, db_index=True)
    hold_seconds = models.PositiveSmallIntegerField(
        "hold (seconds)",
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(600)],
        help_text="Leave empty to use the stretch's default hold.",
    )
    repetitions = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    rest_after_seconds = models.PositiveSmallIntegerField(
        "rest after (seconds)", default=15, validators=[MaxValueValidator(300)]
    )
    breathing_pattern = models.ForeignKey(
        BreathingPattern,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="steps",
        help_text="Leave empty to use the routine's pattern.",
    )
    note = models.CharField(max_length=300, blank=True, help_text="A cue for this routine only.")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "step"
        verbose_name_plural = "steps"

    def __str__(self) -> str:
        return f"{self.order}. {self.stretch}"

    @property
    def effective_hold_seconds(self) -> int:
        return self.hold_seconds or self.stretch.hold_seconds

    @property
    def hold_count(self) -> int:
        """How many times the stretch is held: once per side, per repetition."""
        return self.repetitions * self.stretch.side_count

    @property
    def effective_breathing_pattern(self) -> BreathingPattern | None:
        return self.breathing_pattern or self.routine.breathing_pattern

    @property
    def duration_seconds(self) -> int:
        holds = self.hold_count
        return (
            holds * self.effective_hold_seconds
            + (holds - 1) * TRANSITION_SECONDS
            + self.rest_after_seconds
        )


TIGHTNESS_MAX = 10  # tightness is rated 0 (free and easy) to 10 (as tight as it gets)


class SharedSessionQuerySet(models.QuerySet):
    def shared_between(self, start, end):
        """Sessions shared on the days from `start` to `end`, both included."""
        return self.filter(shared_on__gte=start, shared_on__lte=end)


class SharedSession(models.Model):
    """One session a visitor chose to share with the teacher, anonymously.

    Nothing here says who they were: no name, address, cookie or browser, and only the day
    it was shared, not the moment (a moment could be matched against a server log).
    """

    class Feeling(models.TextChoices):
        BETTER = "better", "Better"
        SAME = "same", "Same"
        WORSE = "worse", "Worse"

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="shared_sessions")
    shared_on = models.DateField(default=timezone.localdate, db_index=True)
    is_gentle = models.BooleanField("gentle mode")
    is_completed = models.BooleanField("completed")
    ended_at_step = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The stretch (1 is the first) the session ended at."
    )
    tightness_before = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(TIGHTNESS_MAX)]
    )
    tightness_after = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(TIGHTNESS_MAX)]
    )
    feeling = models.CharField(max_length=10, choices=Feeling.choices, blank=True)

    objects = SharedSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-shared_on", "-pk"]
        verbose_name = "shared session"
        verbose_name_plural = "shared sessions"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_completed=True, ended_at_step__isnull=True)
                | Q(is_completed=False, ended_at_step__gte=1),
                name="shared_session_completed_or_ended_at_a_step",
            ),
            models.CheckConstraint(
                condition=Q(tightness_before__lte=TIGHTNESS_MAX)
                & Q(tightness_after__lte=TIGHTNESS_MAX),
                name="shared_session_tightness_at_most_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.routine} on {self.shared_on:%Y-%m-%d}"

    @property
    def tightness_change(self) -> int | None:
        """After minus before: below 0 is looser. None unless both were rated."""
        if self.tightness_before is None or self.tightness_after is None:
            return None
        return self.tightness_after - self.tightness_before
