"""Demo stretches, routines and generated videos for an empty site; safe to rerun.

`manage.py seed_demo` (in psoasapp, with the blog's demo) calls seed_routines(). Rows are
matched by name or slug and only created when missing: a rerun duplicates nothing and
never undoes an edit made in admin. A demo video is drawn again only when its file has gone,
and processed again when it lacks a rendition (a row from before there were two sizes).
"""

import os
from concurrent.futures import ThreadPoolExecutor

from django.core.files.base import ContentFile
from django.db import transaction

from .demo_media import demo_video_bytes
from .models import BodyArea, BreathingPattern, Routine, RoutineStep, Stretch, Video
from .services import video_process

BODY_AREAS = ["Hips", "Lower back", "Front of thigh", "Pelvis", "Core"]

BREATHING_PATTERNS = [
    {
        "name": "Calm breath",
        "description": "Breathe out for longer than you breathe in; the long out-breath invites "
        "the body to let go.",
        "inhale_seconds": 4,
        "hold_in_seconds": 0,
        "exhale_seconds": 6,
        "hold_out_seconds": 0,
    },
    {
        "name": "Box breath",
        "description": "Four even counts in, holding, out and holding: steady and simple, good "
        "for settling a busy mind.",
        "inhale_seconds": 4,
        "hold_in_seconds": 4,
        "exhale_seconds": 4,
        "hold_out_seconds": 4,
    },
    {
        "name": "4-7-8 breath",
        "description": "In for four, hold for seven, out slowly for eight; deeply calming, so "
        "keep to a few rounds and shorten the hold if it strains.",
        "inhale_seconds": 4,
        "hold_in_seconds": 7,
        "exhale_seconds": 8,
        "hold_out_seconds": 0,
    },
]

# The psoas runs from the lower spine through the pelvis to the top of the inner thigh. Long
# hours of sitting leave it short and guarded; it is a reactive muscle that releases when it
# feels safe, so every stretch here goes slowly, stays out of pain and leans on the breath.
#
# A cue may start with its moment in the demo video ("0:03 …"); the drawn demo clips are 12 s
# long (demo_media.demo_video_bytes), so every time here is under 0:12.
STRETCHES = [
    {
        "slug": "constructive-rest",
        "pose": "supine",
        "title": "Constructive rest",
        "summary": "Lie on your back with knees bent and feet flat, and let the floor do the "
        "work. The classic passive psoas release.",
        "cues": [
            "0:00 Lie on your back with your knees bent and your feet flat on the floor, hip-width "
            "apart and a comfortable distance from your hips.",
            "0:03 Let your knees lean in towards each other so your legs stay up without effort.",
            "0:05 Rest your hands on your lower belly, or let your arms lie loosely by your sides.",
            "0:08 Feel the back of your pelvis grow heavy, and let your lower back settle towards "
            "the floor by itself rather than pressing it down.",
            "0:10 Breathe slowly into your belly, and let each out-breath soften the front of your "
            "hips a little more.",
        ],
        "safety_note": "If your lower back aches, walk your feet a little further away or rest "
        "your calves on a chair seat. Nothing here should hurt.",
        "hold_seconds": 90,
        "sides": Stretch.Sides.NONE,
        "level": Stretch.Level.GENTLE,
        "body_areas": ["Hips", "Lower back", "Pelvis"],
    },
    {
        "slug": "supported-bridge",
        "pose": "bridge",
        "title": "Supported bridge",
        "summary": "Rest your pelvis on a block so the front of your hips can open while no "
        "muscle has to hold you up.",
        "cues": [
            "0:00 Lie on your back with your knees bent and feet flat, a yoga block or a firm "
            "cushion within reach.",
            "0:03 Press lightly through your feet and lift your hips just enough to slide the "
            "block under the flat bone at the base of your spine, not under your lower back.",
            "0:06 Lower your weight onto the block and let it carry you completely.",
            "0:09 Keep your knees pointing to the ceiling and your lower ribs soft rather than "
            "lifted.",
            "To come out, lift your hips, slide the block away and roll down slowly.",
        ],
        "safety_note": "Start with the block on its lowest side. If you feel pinching in your "
        "lower back, lower the block or leave this one out.",
        "hold_seconds": 60,
        "sides": Stretch.Sides.NONE,
        "level": Stretch.Level.GENTLE,
        "body_areas": ["Pelvis", "Hips", "Lower back"],
    },
    {
        "slug": "half-kneeling-hip-flexor-stretch",
        "pose": "lunge",
        "title": "Half-kneeling hip flexor stretch",
        "summary": "Kneel on one knee and tuck the pelvis a little to lengthen the front of the "
        "back leg's hip. A small movement with a big effect.",
        "cues": [
            "0:00 Kneel on a folded blanket, one foot flat in front with the knee above the ankle.",
            "0:02 Rest your hands on your hips and let your body stand tall over your pelvis.",
            "0:04 Draw your tailbone gently down and your lower belly in, as if tipping a bowl of "
            "water back towards you.",
            "0:07 Only then ease your hips a little forward, until you feel a mild stretch at the "
            "front of the back leg's hip.",
            "0:09 Keep your lower ribs soft and drawn in, so your lower back does not arch.",
            "Let each slow out-breath take you a touch further, then change sides.",
        ],
        "safety_note": "Pad the kneeling knee. The stretch belongs at the front of the hip, not "
        "in the lower back; if you feel it in your back, tuck the pelvis more and go less far "
        "forward.",
        "hold_seconds": 45,
        "sides": Stretch.Sides.LEFT_RIGHT,
        "level": Stretch.Level.MODERATE,
        "body_areas": ["Hips", "Front of thigh", "Pelvis"],
    },
    {
        "slug": "knee-to-chest-one-leg-long",
        "pose": "knee_hug",
        "title": "Knee to chest, one leg long",
        "summary": "Hug one knee in while the other leg lies long on the floor, opening the front "
        "of the straight leg's hip.",
        "cues": [
            "0:00 Lie on your back with both legs long.",
            "0:02 Bend one knee and hold it just below the kneecap, or behind the thigh if your "
            "knee prefers.",
            "0:04 Draw the knee towards your chest only as far as it comes easily.",
            "0:07 Let the long leg grow heavy, the back of the thigh melting towards the floor.",
            "0:09 Keep your head and shoulders resting down and your jaw loose.",
            "0:11 Breathe into the front of the long leg's hip, then change legs.",
        ],
        "safety_note": "If the long leg's knee or your lower back complains, bend that knee a "
        "little and rest the foot on the floor.",
        "hold_seconds": 45,
        "sides": Stretch.Sides.LEFT_RIGHT,
        "level": Stretch.Level.GENTLE,
        "body_areas": ["Hips", "Front of thigh", "Lower back"],
    },
    {
        "slug": "rocking-low-lunge",
        "pose": "lunge",
        "title": "Rocking low lunge",
        "summary": "A low lunge with the back knee down, rocking gently with the breath instead "
        "of holding still at the edge.",
        "cues": [
            "0:00 From hands and knees, step one foot forward and slide the other knee back until "
            "it is behind your hip.",
            "0:03 Rest your hands on blocks or on your front thigh so your spine can stay long.",
            "0:06 Breathing in, come back a little; breathing out, let your hips drift forward a "
            "few centimetres.",
            "Keep rocking with each breath, never further than the stretch feels kind.",
            "Keep the front knee above or just behind the ankle.",
        ],
        "safety_note": "Move in small ranges. A tight psoas guards itself when it is hurried, so "
        "go slower rather than deeper.",
        "hold_seconds": 40,
        "sides": Stretch.Sides.LEFT_RIGHT,
        "level": Stretch.Level.MODERATE,
        "body_areas": ["Hips", "Front of thigh", "Core"],
    },
    {
        "slug": "crocodile-breathing",
        "pose": "prone",
        "title": "Crocodile breathing",
        "summary": "Lie face down with your forehead on your hands and breathe into your lower "
        "back, calming the deep muscles at the front of the spine.",
        "cues": [
            "0:00 Lie on your front, legs long and a little apart, toes turned in or out as is "
            "comfortable.",
            "0:02 Stack your hands and rest your forehead on them so your neck stays long.",
            "0:05 Breathe in slowly and feel your lower back and sides rise against the ceiling.",
            "0:08 Breathe out and feel your belly settle into the floor.",
            "Let the breath get slower and quieter, without forcing it.",
        ],
        "safety_note": "If lying on your front presses on your lower back, slide a thin pillow "
        "under your belly.",
        "hold_seconds": 60,
        "sides": Stretch.Sides.NONE,
        "level": Stretch.Level.GENTLE,
        "body_areas": ["Core", "Lower back"],
    },
]

ROUTINES = [
    {
        "slug": "desk-day-psoas-reset",
        "title": "Desk-day psoas reset",
        "summary": "Five quiet minutes for the front of your hips after a long day of sitting.",
        "description": "Sitting for hours leaves the psoas, the deep muscle that joins your lower "
        "spine to the top of your thigh, short and guarded. This short routine undoes a little "
        "of that: rest first, then one gentle lengthening on each side. Go slowly, stay well "
        "away from pain, and let a long out-breath do most of the work.",
        "breathing": "Calm breath",
        "steps": [
            {"stretch": "constructive-rest", "hold_seconds": 120, "rest_after_seconds": 15},
            {
                "stretch": "half-kneeling-hip-flexor-stretch",
                "hold_seconds": 45,
                "rest_after_seconds": 15,
                "note": "Tuck first, then move forward; a small stretch is enough.",
            },
            {"stretch": "knee-to-chest-one-leg-long", "hold_seconds": 40},
        ],
    },
    {
        "slug": "slow-psoas-release",
        "title": "Slow psoas release",
        "summary": "Fifteen unhurried minutes that coax the psoas to let go, from lying down to "
        "kneeling and back to rest.",
        "description": "The psoas is a reactive muscle: pull on it and it holds on tighter, give "
        "it time and it softens by itself. When it is tight it can tip the pelvis forward and "
        "push the lower ribs and back into an arch, so this routine spends as long on resting "
        "and breathing as it does on stretching. Move slowly between positions, never push into "
        "pain, and just breathe; the release comes from staying soft, not from forcing.",
        "breathing": "Calm breath",
        "steps": [
            {
                "stretch": "crocodile-breathing",
                "hold_seconds": 90,
                "rest_after_seconds": 20,
                "breathing": "Box breath",
                "note": "Arrive first: even counts, no effort.",
            },
            {"stretch": "knee-to-chest-one-leg-long", "hold_seconds": 60, "rest_after_seconds": 20},
            {
                "stretch": "rocking-low-lunge",
                "hold_seconds": 40,
                "repetitions": 2,
                "rest_after_seconds": 30,
                "note": "Twice on each side; the second round often goes a little further by "
                "itself.",
            },
            {
                "stretch": "half-kneeling-hip-flexor-stretch",
                "hold_seconds": 60,
                "rest_after_seconds": 30,
            },
            {
                "stretch": "supported-bridge",
                "hold_seconds": 90,
                "rest_after_seconds": 20,
                "breathing": "4-7-8 breath",
                "note": "Four or five rounds of 4-7-8, then let the breath find its own pace.",
            },
            {"stretch": "constructive-rest", "hold_seconds": 240, "rest_after_seconds": 0},
        ],
    },
]

# Drawn at 720p, as a teacher's phone would film at least, so processing makes both
# renditions from it: the clip itself as the 720p one, and a 360p one.
DEMO_VIDEO_SIZE = (1280, 720)

# Each demo clip takes a few seconds of CPU to draw and encode; a few at a time keeps
# `make run` quick without starving a small machine.
VIDEO_WORKERS = min(3, os.cpu_count() or 1)


class DemoVideoError(Exception):
    """A demo clip did not come out playable (PyAV or its FFmpeg is broken here)."""


def seed_routines() -> str:
    """Create whatever demo content is missing; say what the site now has."""
    return _Seeder().run()


class _Seeder:
    def run(self) -> str:
        self.created = 0
        clips = self.make_missing_videos()
        self.complete_renditions()
        with transaction.atomic():
            areas = {name: self.ensure(BodyArea, {"name": name}, {})[0] for name in BODY_AREAS}
            patterns = {
                data["name"]: self.ensure(BreathingPattern, {"name": data["name"]}, data)[0]
                for data in BREATHING_PATTERNS
            }
            stretches = {data["slug"]: self.seed_stretch(data, areas, clips) for data in STRETCHES}
            for data in ROUTINES:
                self.seed_routine(data, stretches, patterns)
        return (
            f"Demo content: {len(areas)} body areas, {len(patterns)} breathing patterns, "
            f"{len(stretches)} stretches, {len(ROUTINES)} routines "
            f"({self.created} rows created, {len(clips)} videos made)."
        )

    def ensure(self, model, lookup: dict, values: dict):
        """The row for `lookup`, created from `values` if missing.

        An existing row is left as it is: once the demo is loaded it is the
        teacher's content, and an edit made in admin must survive `make run`.
        """
        row, created = model.objects.get_or_create(**lookup, defaults=values)
        self.created += created
        return row, created

    def make_missing_videos(self) -> dict[str, bytes]:
        """Draw the demo clips of stretches whose video row or file is missing, in parallel."""
        have = {
            stretch.slug: stretch.video
            for stretch in Stretch.objects.filter(
                slug__in=[d["slug"] for d in STRETCHES]
            ).select_related("video")
        }
        # New stretches get a clip; so does one whose demo file vanished (a wiped
        # media/ folder). A stretch the teacher left without a video stays so.
        wanted = [
            data
            for data in STRETCHES
            if data["slug"] not in have
            or (have[data["slug"]] is not None and not _has_video_file(have[data["slug"]]))
        ]
        with ThreadPoolExecutor(max_workers=VIDEO_WORKERS) as pool:
            clips = pool.map(
                lambda data: demo_video_bytes(
                    data["title"], pose=data["pose"], size=DEMO_VIDEO_SIZE
                ),
                wanted,
            )
            return {data["slug"]: clip for data, clip in zip(wanted, clips, strict=True)}

    def complete_renditions(self) -> None:
        """Process again the demo stretches' ready videos that have no small rendition."""
        for video in (
            Video.objects.ready()
            .filter(playable_small="", stretches__slug__in=[d["slug"] for d in STRETCHES])
            .distinct()
        ):
            if _has_video_file(video):
                video_process(video=video)

    def seed_stretch(self, data: dict, areas: dict, clips: dict[str, bytes]) -> Stretch:
        values = {
            "title": data["title"],
            "summary": data["summary"],
            "cues": "\n".join(data["cues"]),
            "safety_note": data["safety_note"],
            "hold_seconds": data["hold_seconds"],
            "sides": data["sides"],
            "level": data["level"],
            "is_published": True,
        }
        stretch, created = self.ensure(Stretch, {"slug": data["slug"]}, values)
        if created:
            stretch.body_areas.set([areas[name] for name in data["body_areas"]])
        if data["slug"] in clips:
            if stretch.video is not None:
                stretch.video.delete()  # its file is gone; the row would only mislead
            stretch.video = self.save_video(data, clips[data["slug"]])
            stretch.save(update_fields=["video"])
        return stretch

    def save_video(self, data: dict, clip: bytes) -> Video:
        video = Video(title=f"{data['title']} (demo)", original_name=f"{data['slug']}.mp4")
        video.original.save(video.original_name, ContentFile(clip), save=True)
        video = video_process(video=video)
        if video.status != Video.Status.READY:
            raise DemoVideoError(
                f"The demo video for {data['title']!r} did not come out playable: "
                f"{video.error_message or video.status}"
            )
        return video

    def seed_routine(self, data: dict, stretches: dict, patterns: dict) -> Routine:
        values = {
            "title": data["title"],
            "summary": data["summary"],
            "description": data["description"],
            "breathing_pattern": patterns[data["breathing"]],
            "is_published": True,
        }
        routine, created = self.ensure(Routine, {"slug": data["slug"]}, values)
        if created:
            RoutineStep.objects.bulk_create(
                RoutineStep(
                    routine=routine,
                    order=order,
                    stretch=stretches[step["stretch"]],
                    hold_seconds=step.get("hold_seconds"),
                    repetitions=step.get("repetitions", 1),
                    rest_after_seconds=step.get("rest_after_seconds", 15),
                    breathing_pattern=patterns.get(step.get("breathing")),
                    note=step.get("note", ""),
                )
                for order, step in enumerate(data["steps"], start=1)
            )
        return routine


def _has_video_file(video: Video | None) -> bool:
    return (
        video is not None
        and bool(video.original)
        and video.original.storage.exists(video.original.name)
    )
