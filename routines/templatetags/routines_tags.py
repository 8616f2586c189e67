"""Template filters for showing times the way a person says them."""

from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """90 → "1 min 30 s", 600 → "10 min", 45 → "45 s"."""
    try:
        seconds = int(round(float(seconds)))
    except (TypeError, ValueError):
        return ""
    minutes, rest = divmod(max(seconds, 0), 60)
    if not minutes:
        return f"{rest} s"
    if not rest:
        return f"{minutes} min"
    return f"{minutes} min {rest} s"


@register.filter
def clock(seconds) -> str:
    """90 → "1:30", the form used for video lengths."""
    try:
        seconds = int(round(float(seconds)))
    except (TypeError, ValueError):
        return ""
    minutes, rest = divmod(max(seconds, 0), 60)
    return f"{minutes}:{rest:02d}"
