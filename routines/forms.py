"""The stretch library's search and filter form; the admin's video upload and insights forms."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import PurePosixPath

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from .models import BodyArea, Stretch, Video
from .upload import RefusedUpload, upload_too_large_message
from .video import (
    CAPTIONS_MAX_BYTES,
    CaptionsError,
    ProbeResult,
    VideoProbeError,
    captions_validate,
    format_size,
    video_validate,
)

# What the file picker offers; phones label their clips video/quicktime or video/mp4.
VIDEO_ACCEPT = "video/*,.mp4,.m4v,.mov,.mkv,.webm,.avi,.mts,.m2ts"
POSTER_MAX_BYTES = 10 * 1024 * 1024


class StretchFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. lunge, lower back"}),
    )
    area = forms.ModelChoiceField(
        label="Body area",
        queryset=BodyArea.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label="Any area",
    )
    level = forms.ChoiceField(
        label="Level", required=False, choices=[("", "Any level"), *Stretch.Level.choices]
    )
    sides = forms.ChoiceField(
        label="Sides", required=False, choices=[("", "Either"), *Stretch.Sides.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "filter-form"
        self.helper.attrs = {"role": "search", "aria-label": "Find a stretch"}
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "q", "area", "level", "sides", Submit("", "Show stretches", css_class="btn btn-primary")
        )

    def filter(self, queryset):
        """Narrow `queryset` by whatever valid choices the visitor made."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if data.get("area"):
            queryset = queryset.filter(body_areas=data["area"])
        if data.get("level"):
            queryset = queryset.filter(level=data["level"])
        if data.get("sides"):
            queryset = queryset.filter(sides=data["sides"])
        return queryset

    @property
    def is_filtering(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class InsightsPeriodForm(forms.Form):
    """The period of the practice insights page: two dates, or one of the presets' ranges.

    Without dates it is the last DEFAULT_DAYS days; `period()` is None while the dates given
    are wrong, and the errors say why.
    """

    PRESETS = [("Last 4 weeks", 28), ("Last 12 weeks", 84), ("Last 12 months", 365)]
    DEFAULT_DAYS = 84
    MAX_DAYS = 3 * 366

    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    @classmethod
    def last_days(cls, days: int, today: date) -> tuple[date, date]:
        return today - timedelta(days=days - 1), today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if (start is None) != (end is None):
            raise forms.ValidationError("Give both dates, or choose one of the periods above.")
        if start and end:
            if start > end:
                raise forms.ValidationError("The first date is after the second one.")
            if (end - start).days >= self.MAX_DAYS:
                raise forms.ValidationError("Choose a period of at most three years.")
        return data

    def period(self, today: date) -> tuple[date, date] | None:
        if not self.is_bound:
            return self.last_days(self.DEFAULT_DAYS, today)
        if not self.is_valid():
            return None
        if self.cleaned_data["start"] is None:
            return self.last_days(self.DEFAULT_DAYS, today)
        return self.cleaned_data["start"], self.cleaned_data["end"]


class StretchAdminForm(forms.ModelForm):
    """The teacher's stretch form; the model checks the cue times (Stretch.clean_fields).

    The admin adds the model and its fields (modelform_factory), so they are not named here.
    """

    class Meta:
        help_texts = {
            "cues": "One cue per line, in the order they are given. A line may start with the "
            "moment in the video it goes with, in minutes and seconds: “0:12 Let the knee sink "
            "towards the floor”. Visitors never see the time: the cue is highlighted while the "
            "video plays it, and choosing the cue plays the video from there.",
        }
        widgets = {"cues": forms.Textarea(attrs={"rows": 8})}


class UploadFieldMixin:
    """Explain an upload the size-limited handler refused, before Django's own checks run."""

    def to_python(self, data):
        if isinstance(data, RefusedUpload):
            raise forms.ValidationError(data.message, code="too_large")
        return super().to_python(data)


class UploadFileField(UploadFieldMixin, forms.FileField):
    pass


class UploadImageField(UploadFieldMixin, forms.ImageField):
    pass


class VideoAdminForm(forms.ModelForm):
    """The teacher's video form: an upload is read at once, and refused in plain words if unusable.

    Nothing is saved for a refused upload: no row, no file in media/.
    """

    class Meta:
        model = Video
        fields = ["title", "original", "poster", "captions"]
        field_classes = {
            "original": UploadFileField,
            "poster": UploadImageField,
            "captions": UploadFileField,
        }
        widgets = {
            "original": forms.ClearableFileInput(attrs={"accept": VIDEO_ACCEPT}),
            "captions": forms.ClearableFileInput(attrs={"accept": ".vtt,text/vtt"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.probe: ProbeResult | None = None
        limit = settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES
        original = self.fields["original"]
        # upload-progress.js refuses a file over the limit before sending any of it.
        original.widget.attrs["data-max-bytes"] = str(limit)
        original.help_text = (
            f"A video from a phone or camera (MP4, MOV, MKV…), up to {format_size(limit)}. "
            "It is checked as soon as it arrives; making the version browsers play happens "
            "in the background and can take a few minutes."
        )

    def clean_original(self):
        upload = self.cleaned_data.get("original")
        if not isinstance(upload, UploadedFile):
            return upload  # unchanged
        limit = settings.PSOASAPP_VIDEO_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(upload_too_large_message(upload.size, limit))
        try:
            with _local_upload_path(upload) as path:
                self.probe = video_validate(path)
        except VideoProbeError as error:
            raise forms.ValidationError(error.message, code="unreadable") from None
        return upload

    def clean_poster(self):
        poster = self.cleaned_data.get("poster")
        if isinstance(poster, UploadedFile) and poster.size > POSTER_MAX_BYTES:
            raise forms.ValidationError(upload_too_large_message(poster.size, POSTER_MAX_BYTES))
        return poster

    def clean_captions(self):
        captions = self.cleaned_data.get("captions")
        if not isinstance(captions, UploadedFile):
            return captions
        captions.seek(0)
        data = captions.read(CAPTIONS_MAX_BYTES + 1)
        captions.seek(0)
        try:
            captions_validate(data)
        except CaptionsError as error:
            raise forms.ValidationError(error.message, code="invalid_captions") from None
        return captions


@contextmanager
def _local_upload_path(upload: UploadedFile) -> Iterator[str]:
    """A path PyAV can open: big uploads already have one; small ones are held in memory."""
    if hasattr(upload, "temporary_file_path"):
        yield upload.temporary_file_path()
        return
    suffix = PurePosixPath(upload.name or "").suffix[:10]
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=settings.FILE_UPLOAD_TEMP_DIR) as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        yield copy.name
