"""The stretch library's search and filter form."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms

from .models import BodyArea, Stretch


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
