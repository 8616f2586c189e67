"""The comment form, laid out the way WordPress readers know it; the admin's image field."""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout, Submit
from django import forms
from django.conf import settings
from django.urls import reverse

from . import spam
from .images import SVG_REFUSED, is_svg
from .models import Comment, Post

COMMENT_MAX_CHARS = 5000
REMEMBER_LABEL = "Save my name, email, and website in this browser for the next time I comment."
REPLY_UNAVAILABLE = (
    "The comment you were replying to is not available any more. Your text is still here: "
    "send it as a new comment instead."
)
TOO_DEEP = (
    "Replies go at most %(depth)s levels deep, so this one cannot be answered directly. Your "
    "text is still here: reply to the comment above it, or send it as a new comment."
)
# Longer digit strings are no comment's id, and would overflow the database's integer.
MAX_ID_DIGITS = 18


# Characters XML 1.0 cannot carry (so no feed could show them) and no person types.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def parse_id(value) -> int | None:
    """A row id sent by a browser, or None for anything else ("", "12a", "１２", 10**30)."""
    value = str(value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS:
        return int(value)
    return None


class CommentForm(forms.ModelForm):
    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={"required": "Please write your comment."},
    )
    remember = forms.BooleanField(label=REMEMBER_LABEL, required=False)
    # The honeypot: hidden from people by CSS, filled in by robots that fill in everything.
    subject = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Comment
        fields = ["body", "name", "email", "website"]
        labels = {"name": "Name", "email": "Email", "website": "Website"}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(
                attrs={"autocomplete": "email", "aria-describedby": "email-notes"}
            ),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
        }
        help_texts = {"email": ""}
        error_messages = {
            "name": {"required": "Please give your name (any name you like to be called)."},
            "email": {
                "required": "Please give your email address; it is never shown to anyone.",
                "invalid": "Please give an email address like name@example.com.",
            },
            "website": {"invalid": "Please give a web address like https://example.com."},
        }

    def __init__(self, *args, post: Post, **kwargs):
        self.post = post
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = spam.token_make(post.pk)
        self.helper = FormHelper()
        self.helper.template = "blog/_comment_form_crispy.html"
        self.helper.form_id = "commentform"
        self.helper.form_class = "comment-form"
        self.helper.form_action = reverse("blog:comment_post", args=[post.pk]) + "#respond"
        # Our messages say more than a browser's bubbles, and keep every field as typed.
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            HTML(
                '<p class="comment-notes" id="email-notes">Your email address will not be '
                'published. Required fields are marked <span class="asteriskField">*</span></p>'
            ),
            "body",
            "name",
            "email",
            "website",
            Div("subject", css_class="comment-form__hp", aria_hidden="true"),
            "remember",
            "parent",
            "token",
            Submit("", "Post Comment", css_class="btn btn-primary"),
        )

    def refresh_token(self) -> None:
        """Sign a new time on a form shown again, so that sending it once more can pass."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["token"] = spam.token_make(self.post.pk)

    def clean_body(self) -> str:
        body = CONTROL_CHARACTERS.sub("", self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError(self.fields["body"].error_messages["required"])
        return body

    def clean_name(self) -> str:
        name = " ".join(CONTROL_CHARACTERS.sub("", self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError(self._meta.error_messages["name"]["required"])
        return name

    def clean(self):
        cleaned = super().clean()
        cleaned["parent"] = self._parent(cleaned.get("parent", ""))
        return cleaned

    def _parent(self, value: str) -> Comment | None:
        if not (value or "").strip():
            return None
        pk = parse_id(value)
        parent = self.post.comments.approved().filter(pk=pk).first() if pk else None
        if parent is None:
            self.add_error(None, REPLY_UNAVAILABLE)
        elif not parent.can_have_replies:
            self.add_error(None, TOO_DEEP % {"depth": settings.BLOG_COMMENT_MAX_DEPTH})
            parent = None
        return parent

    def save(self, commit: bool = True) -> Comment:
        comment = super().save(commit=False)
        comment.post = self.post
        comment.parent = self.cleaned_data.get("parent")
        if commit:
            comment.save()
        return comment


class ImageUploadField(forms.ImageField):
    """An image upload that says why an SVG is refused, rather than calling it corrupted."""

    def to_python(self, data):
        if data and is_svg(data):
            raise forms.ValidationError(SVG_REFUSED, code="svg")
        return super().to_python(data)
