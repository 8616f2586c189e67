"""Figures on the practice insights page, written as people read them."""

from django import template

from routines.insights import signed

register = template.Library()


@register.filter
def percent(share: float | None) -> str:
    """0.375 → "38%"; nothing to show → "–"."""
    return "–" if share is None else f"{share:.0%}"


@register.filter(name="signed")
def signed_filter(value: float | None) -> str:
    """A change in tightness: +2, 0, −1.5; nothing to show → "–"."""
    return "–" if value is None else signed(value)
