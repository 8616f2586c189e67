"""Benchmark our PyAV transcode against the `ffmpeg` command doing the same work.

A 60 s 1080p30 synthetic clip (FFmpeg's testsrc2 pattern with a tone, encoded as H.264 at a
phone's bit rate) is converted to the playable MP4 twice over: by routines.video's
video_transcode, and by `ffmpeg` with the same filters and encoder settings (scale to 720p,
H.264 High yuv420p at the same preset, CRF, rate cap and keyframe interval, AAC 128 kbit/s,
faststart). Rounds alternate which goes first; the median of the rounds' ratios is reported,
on the clock and in CPU seconds (which other load on the machine does not inflate). Expect a
ratio (PyAV / ffmpeg) of at most 1.1.

Run: .venv/bin/python bench/bench_transcode.py [--seconds 60] [--rounds 3]
Needs the ffmpeg command: apt-get install -y ffmpeg (as root), or FFMPEG=/path/to/ffmpeg.
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import av
from av.video.frame import PictureType

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from routines import video as video_module  # noqa: E402
from routines.video import LARGE, playable_size, video_probe, video_transcode  # noqa: E402


def make_source(path: Path, seconds: int) -> None:
    """A 1080p30 H.264/AAC MP4 of FFmpeg's test pattern, about 12 Mbit/s like a phone's."""
    picture = av.open(f"testsrc2=size=1920x1080:rate=30:duration={seconds}", format="lavfi")
    sound = av.open(f"sine=frequency=330:sample_rate=48000:duration={seconds}", format="lavfi")
    with picture, sound, av.open(str(path), "w", format="mp4") as output:
        video = output.add_stream(
            "libx264", rate=30, options={"preset": "ultrafast", "b": "12M", "g": "30"}
        )
        video.width, video.height, video.pix_fmt = 1920, 1080, "yuv420p"
        audio = output.add_stream("aac", rate=48_000, layout="stereo")
        for frame in picture.decode(video=0):
            frame = frame.reformat(format="yuv420p")
            frame.pict_type = PictureType.NONE  # let x264 choose, as a camera's encoder does
            output.mux(video.encode(frame))
        output.mux(video.encode(None))
        for frame in sound.decode(audio=0):
            output.mux(audio.encode(frame))
        output.mux(audio.encode(None))


def ffmpeg_command(ffmpeg: str, source: Path, destination: Path) -> list[str]:
    """The `ffmpeg` equivalent of video_transcode's settings (see routines/video.py)."""
    probe = video_probe(source)
    width, height = playable_size(probe.width, probe.height)
    keyframe_interval = round((probe.frame_rate or 30) * video_module.KEYFRAME_SECONDS)
    return [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(source),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0",
        "-vf",
        f"scale={width}:{height},setsar=1,format=yuv420p",
        "-c:v",
        "libx264",
        "-preset",
        video_module.X264_PRESET,
        "-crf",
        video_module.X264_CRF,
        "-maxrate",
        video_module.X264_MAXRATE,
        "-bufsize",
        video_module.X264_BUFSIZE,
        "-profile:v",
        "high",
        "-g",
        str(keyframe_interval),
        "-c:a",
        "aac",
        "-b:a",
        str(video_module.AAC_BITS_PER_SECOND),
        "-ac",
        "2",
        "-ar",
        "48000",
        "-movflags",
        "+faststart",
        str(destination),
    ]


@dataclass
class Timing:
    wall: float  # seconds on the clock
    cpu: float  # seconds of CPU, all threads: the work done, whatever else the machine runs


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def time_pyav(source: Path, destination: Path) -> Timing:
    probe = video_probe(source)
    cpu, started = cpu_seconds(resource.RUSAGE_SELF), time.perf_counter()
    video_transcode(source, {LARGE: destination}, probe=probe)
    return Timing(time.perf_counter() - started, cpu_seconds(resource.RUSAGE_SELF) - cpu)


def time_ffmpeg(command: list[str]) -> Timing:
    cpu, started = cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command, check=True)
    return Timing(time.perf_counter() - started, cpu_seconds(resource.RUSAGE_CHILDREN) - cpu)


def describe(path: Path) -> str:
    probe = video_probe(path)
    return (
        f"{probe.video_codec} {probe.pix_fmt} {probe.width}x{probe.height} "
        f"{probe.duration_seconds:.2f} s, {path.stat().st_size / 1e6:.1f} MB"
    )


def x264_version(ffmpeg: str) -> str:
    out = subprocess.run(
        [ffmpeg, "-hide_banner", "-h", "encoder=libx264"], capture_output=True, text=True
    ).stdout
    return out.splitlines()[0] if out else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    ffmpeg = os.environ.get("FFMPEG") or shutil.which("ffmpeg")
    if not ffmpeg:
        print(
            "SKIPPED: the ffmpeg command is not installed. Install it with "
            "`apt-get install -y ffmpeg` (as root; `brew install ffmpeg` on macOS), "
            "or point FFMPEG=/path/to/ffmpeg at one."
        )
        return 0

    # Other work on the machine makes the clock times noisy (the CPU times much less so).
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-transcode-") as tmp:
        folder = Path(tmp)
        source = folder / "source.mp4"
        began = time.perf_counter()
        make_source(source, args.seconds)
        print(f"source: {describe(source)} (made in {time.perf_counter() - began:.0f} s)")
        version = subprocess.run(
            [ffmpeg, "-version"], capture_output=True, text=True
        ).stdout.splitlines()[0]
        print(f"PyAV {av.__version__} (FFmpeg libavcodec {av.library_versions['libavcodec']})")
        print(f"{version}")
        command = ffmpeg_command(ffmpeg, source, folder / "ffmpeg.mp4")
        print("ffmpeg command:", " ".join(command[:1] + command[5:]))

        pyav_times, ffmpeg_times = [], []
        for round_number in range(1, args.rounds + 1):
            # Alternate which goes first, so warm caches and clock drift favour neither.
            order = ["pyav", "ffmpeg"] if round_number % 2 else ["ffmpeg", "pyav"]
            for which in order:
                if which == "pyav":
                    pyav_times.append(time_pyav(source, folder / "pyav.mp4"))
                else:
                    ffmpeg_times.append(time_ffmpeg(command))
            pyav, command_line = pyav_times[-1], ffmpeg_times[-1]
            print(
                f"  round {round_number}: PyAV {pyav.wall:6.1f} s ({pyav.cpu:6.1f} s CPU)   "
                f"ffmpeg {command_line.wall:6.1f} s ({command_line.cpu:6.1f} s CPU)"
            )

        print(f"PyAV output:   {describe(folder / 'pyav.mp4')}")
        print(f"ffmpeg output: {describe(folder / 'ffmpeg.mp4')}")
        rounds = list(zip(pyav_times, ffmpeg_times, strict=True))
        for label, measure in [("time", "wall"), ("CPU time", "cpu")]:
            pyav = statistics.median(getattr(t, measure) for t in pyav_times)
            command_line = statistics.median(getattr(t, measure) for t in ffmpeg_times)
            # Each round's two runs are close in time, so their ratio shares its conditions.
            ratio = statistics.median(getattr(a, measure) / getattr(b, measure) for a, b in rounds)
            verdict = "OK" if ratio <= 1.1 else "SLOWER THAN EXPECTED"
            print(
                f"{label}: median PyAV {pyav:.1f} s, ffmpeg {command_line:.1f} s; "
                f"median ratio PyAV/ffmpeg {ratio:.2f} (expect <= 1.1: {verdict})"
            )
        fastest = min(t.wall for t in pyav_times)
        print(f"PyAV transcodes at up to {args.seconds / fastest:.1f}x real time on this machine.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
