"""Grow a database that `manage.py seed_demo` filled into the benchmark's data set.

300 more stretches (on the demo videos, so cards have posters), 50 routines of 8 to 12 steps,
100 published posts with authors, categories and tags, and threads of approved comments that
bring the demo post to 200. Deterministic (one seeded random generator) and meant for a fresh
database: run it once, with the site's environment, after seed_demo.

Run: DATABASE_URL=... .venv/bin/python bench/scale_data.py
"""

import os
import random
import sys
from datetime import timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psoasapp.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from blog.demo import POST_SLUG  # noqa: E402
from blog.models import AuthorProfile, Category, Comment, Post, Tag  # noqa: E402
from routines.models import (  # noqa: E402
    BodyArea,
    BreathingPattern,
    Routine,
    RoutineStep,
    Stretch,
    Video,
)

STRETCHES = 300
ROUTINES = 50
STEPS_PER_ROUTINE = (8, 12)
POSTS = 100
COMMENTS_ON_BUSIEST_POST = 200

QUALIFIERS = [
    "Supported", "Seated", "Standing", "Reclined", "Kneeling", "Wall-assisted", "Chair",
    "Strap-assisted", "Rocking", "Slow", "Gentle", "Low", "Side-lying", "Half", "Pulsing",
    "Bolstered", "Breath-led", "Quiet",
]  # fmt: skip
POSES = [
    "lunge", "bridge", "twist", "figure-four", "butterfly", "pigeon", "child's pose", "cat-cow",
    "hamstring stretch", "quad stretch", "side bend", "knee hug", "frog", "cobra", "sphinx",
    "windshield wipers", "happy baby", "thread the needle", "wall lean", "hip circles",
]  # fmt: skip
BENEFITS = [
    "lengthens the front of the hip without strain",
    "lets the lower back settle and soften",
    "eases the deep hip flexors after a day of sitting",
    "opens the groin and inner thigh a little at a time",
    "calms the breath and the muscles around the pelvis",
    "brings gentle movement into a stiff spine",
    "gives the psoas time to let go on its own",
]
CUES = [
    "Settle into the position slowly, without forcing anything.",
    "Let your breath drop low into your belly.",
    "Keep your lower ribs soft and drawn in.",
    "Rest your hands wherever they are comfortable.",
    "Tuck your tailbone a little, then ease forward only as far as feels kind.",
    "Keep the front knee above the ankle.",
    "Let each out-breath last a little longer than the in-breath.",
    "Relax your jaw, your shoulders and your hands.",
    "Feel the stretch at the front of the hip, never in the lower back.",
    "Come out as slowly as you went in.",
    "Pad the knee on the floor with a folded blanket.",
    "If anything pinches, make the movement smaller.",
]
SAFETY_NOTES = [
    "Nothing here should hurt; a mild, spreading stretch is plenty.",
    "If your lower back complains, make the movement smaller or rest instead.",
    "Pad your knees, and come out slowly if you feel dizzy.",
    "",
]
ROUTINE_TIMES = [
    "Morning", "Evening", "Desk-break", "Weekend", "Bedtime", "After-run", "Travel",
    "Lunchtime", "Rainy-day", "Sunday",
]  # fmt: skip
ROUTINE_KINDS = [
    "hip opener", "psoas unwind", "lower-back ease", "slow release", "breath and stretch",
]  # fmt: skip
AUTHORS = [
    ("Sam Okoro", "Sam writes about moving well at a desk. (An invented benchmark author.)"),
    ("Ines Varga", "Ines teaches restorative classes. (An invented benchmark author.)"),
    ("Priya Natarajan", "Priya is a physiotherapist. (An invented benchmark author.)"),
]
CATEGORIES = ["Breathing", "Desk life", "Recovery", "Routines"]
TAGS = [
    "lower back", "posture", "pelvis", "gentle", "evening", "morning", "walking", "running",
    "office", "sleep", "core", "hamstrings",
]  # fmt: skip
POST_SUBJECTS = [
    "the psoas", "your hip flexors", "a stiff lower back", "long days at a desk",
    "the out-breath", "constructive rest", "slow stretching", "a tight pelvis", "evening routines",
    "sitting less",
]  # fmt: skip
POST_ANGLES = [
    "What nobody tells you about", "Five minutes for", "A gentle guide to", "Why we go slowly with",
    "Questions readers ask about", "Notes on", "Getting started with", "Common mistakes with",
    "The quiet science of", "A week of",
]  # fmt: skip
PARAGRAPHS = [
    "The psoas joins the lumbar spine to the top of the thigh bone, so whatever it does at one "
    "end it also does at the other. A day of sitting leaves it short and guarded.",
    "Go *slowly*. A reactive muscle holds on tighter when it is hurried, and lets go when it "
    "feels safe. Breathing out for longer than you breathe in helps it feel safe.",
    "Rest positions do a lot of quiet work. Ten minutes of [constructive rest](/stretches/) "
    "in the evening often does more than an hour of hard stretching at the weekend.",
    "A mild, spreading stretch is plenty. Sharp, pinching or numb feelings mean come out, "
    "and try a smaller version of the same movement another day.",
    "Many readers feel a tight psoas as a tired lower back, a stuck feeling at the front of the "
    "hips, or a breath that never quite reaches the belly.",
]
COMMENTERS = [
    "Maren", "Tomás", "June", "Aiko", "Dev", "Rosa", "Kwame", "Lotte", "Iris", "Mateo", "Nadia",
    "Olek",
]  # fmt: skip
COMMENT_LINES = [
    "Thank you, this helped my lower back more than I expected.",
    "I tried the slow version tonight and could feel the front of my hip let go.",
    "Does this work for runners too? My hips are always tight after a long run.",
    "The tip about breathing out for longer made all the difference.",
    "I do this at my desk between meetings now.",
    "More about constructive rest at https://example.org/rest please!",
    "Gentle is the word. Every other guide told me to push harder.",
]


def stretches_make(rng: random.Random, videos: list[Video], areas: list[BodyArea]) -> list[Stretch]:
    taken = set(Stretch.objects.values_list("slug", flat=True))
    titles = [f"{qualifier} {pose}" for qualifier in QUALIFIERS for pose in POSES]
    rng.shuffle(titles)
    titles = [title for title in titles if slugify(title) not in taken][:STRETCHES]
    # bulk_create skips save(), and with it the slug the model would make.
    stretches = Stretch.objects.bulk_create(
        Stretch(
            title=title,
            slug=slugify(title),
            summary=f"A {title.lower()} that {rng.choice(BENEFITS)}.",
            cues="\n".join(rng.sample(CUES, rng.randint(4, 6))),
            safety_note=rng.choice(SAFETY_NOTES),
            hold_seconds=rng.choice([30, 40, 45, 60, 90, 120]),
            sides=rng.choice(Stretch.Sides.values),
            level=rng.choice(Stretch.Level.values),
            video=videos[index % len(videos)] if videos else None,
            is_published=True,
        )
        for index, title in enumerate(titles)
    )
    through = Stretch.body_areas.through
    through.objects.bulk_create(
        through(stretch_id=stretch.pk, bodyarea_id=area.pk)
        for stretch in stretches
        for area in rng.sample(areas, rng.randint(1, min(3, len(areas))))
    )
    return stretches


def routines_make(
    rng: random.Random, stretches: list[Stretch], patterns: list[BreathingPattern]
) -> list[Routine]:
    titles = [f"{time} {kind}" for time in ROUTINE_TIMES for kind in ROUTINE_KINDS][:ROUTINES]
    routines = Routine.objects.bulk_create(
        Routine(
            title=title,
            slug=slugify(title),
            summary=f"{title}: a calm sequence that {rng.choice(BENEFITS)}.",
            description="\n\n".join(rng.sample(PARAGRAPHS, 2)),
            breathing_pattern=rng.choice(patterns),
            is_published=True,
        )
        for title in titles
    )
    RoutineStep.objects.bulk_create(
        RoutineStep(
            routine=routine,
            order=order,
            stretch=stretch,
            hold_seconds=rng.choice([None, 30, 45, 60, 90]),
            repetitions=rng.choice([1, 1, 1, 2]),
            rest_after_seconds=rng.choice([10, 15, 20, 30]),
            breathing_pattern=rng.choice([None, None, *patterns]),
            note=rng.choice(["", "", "Go gently; a small stretch is enough."]),
        )
        for routine in routines
        for order, stretch in enumerate(
            rng.sample(stretches, rng.randint(*STEPS_PER_ROUTINE)), start=1
        )
    )
    return routines


def posts_make(rng: random.Random, stretches: list[Stretch]) -> list[Post]:
    authors = list(AuthorProfile.objects.all())
    authors += [AuthorProfile.objects.create(name=name, bio=bio) for name, bio in AUTHORS]
    for name in CATEGORIES:
        Category.objects.get_or_create(name=name)
    for name in TAGS:
        Tag.objects.get_or_create(name=name)
    categories, tags = list(Category.objects.all()), list(Tag.objects.all())
    titles = [f"{angle} {subject}" for angle in POST_ANGLES for subject in POST_SUBJECTS]
    rng.shuffle(titles)
    now = timezone.now()
    posts = []
    for title in titles[:POSTS]:
        paragraphs = rng.sample(PARAGRAPHS, 4)
        body = "\n\n".join(
            [
                paragraphs[0],
                "## Where to start",
                paragraphs[1],
                "- Move slowly.\n- Stay out of pain.\n- Breathe out for longer.",
                *paragraphs[2:],
            ]
        )
        # save() renders body_html and picks a slug unique for the day.
        post = Post(
            title=title,
            author=rng.choice(authors),
            body=body,
            excerpt=rng.choice(["", paragraphs[0]]),
            stretch=rng.choice(stretches) if rng.random() < 0.3 else None,
            status=Post.Status.PUBLISHED,
            published_at=now - timedelta(days=rng.uniform(1, 900)),
        )
        post.save()
        post.categories.set(rng.sample(categories, rng.randint(1, 2)))
        post.tags.set(rng.sample(tags, rng.randint(2, 5)))
        posts.append(post)
    return posts


def comments_make(rng: random.Random, post: Post, total: int) -> int:
    """Approved comments in threads on `post` until it has `total`; returns how many were made."""
    thread = list(post.comments.approved().order_by("created_at", "pk"))
    missing = max(total - len(thread), 0)
    start = max([post.published_at, *(comment.created_at for comment in thread)])
    step = (timezone.now() - start) / (missing + 1)
    for index in range(missing):
        can_reply = [c for c in thread if c.depth + 1 < settings.BLOG_COMMENT_MAX_DEPTH]
        name = rng.choice(COMMENTERS)
        # save() sets depth from the parent and renders body_html.
        comment = Comment(
            post=post,
            parent=rng.choice(can_reply) if can_reply and rng.random() < 0.6 else None,
            name=name,
            email=f"{name.lower()}@example.org",
            body=" ".join(rng.sample(COMMENT_LINES, rng.randint(1, 3))),
            status=Comment.Status.APPROVED,
            created_at=start + step * (index + 1),
        )
        comment.save()
        thread.append(comment)
    return missing


def scale_data(*, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    with transaction.atomic():
        videos = list(Video.objects.ready().order_by("pk"))
        stretches = stretches_make(rng, videos, list(BodyArea.objects.all()))
        everything = list(Stretch.objects.published())
        routines = routines_make(rng, everything, list(BreathingPattern.objects.all()))
        posts = posts_make(rng, everything)
        busiest = Post.objects.filter(slug=POST_SLUG).first() or posts[0]
        comments = comments_make(rng, busiest, COMMENTS_ON_BUSIEST_POST)
    return {
        "stretches": len(stretches),
        "routines": len(routines),
        "posts": len(posts),
        "comments": comments,
    }


if __name__ == "__main__":
    made = scale_data()
    print(", ".join(f"{count} {what}" for what, count in made.items()), "added")
