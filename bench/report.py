"""Statistics and Markdown: every section returns a Section, the main module prints and writes them
(with the section's images, beside the report)."""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Budget:
    """One budget of the issue: what was measured against what was allowed."""

    name: str
    allowed: str
    measured: str
    holds: bool
    note: str = ""


@dataclass(frozen=True)
class Image:
    """A drawn figure (bench/figures.py): the file written beside the report, linked from it."""

    name: str
    alt: str
    svg: bytes


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.lines.extend(markdown_table(header, rows))
        self.lines.append("")

    def image(self, image: Image) -> None:
        self.images.append(image)
        self.lines.extend([f"![{image.alt}]({image.name})", ""])

    def markdown(self) -> str:
        return "\n".join([f"## {self.title}", "", *self.lines]).rstrip() + "\n"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines


# Statistics ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    values: tuple[float, ...]

    @classmethod
    def of(cls, values: Sequence[float]) -> Sample:
        if not values:
            raise ValueError("a sample needs at least one value")
        return cls(tuple(values))

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile."""
        ordered = sorted(self.values)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    def ms(self) -> str:
        """median (min-max) in milliseconds."""
        return f"{self.median * 1e3:.0f} ({self.low * 1e3:.0f}-{self.high * 1e3:.0f})"

    def ms1(self) -> str:
        return f"{self.median * 1e3:.1f} ({self.low * 1e3:.1f}-{self.high * 1e3:.1f})"

    def us(self) -> str:
        return f"{self.median * 1e6:.0f} ({self.low * 1e6:.0f}-{self.high * 1e6:.0f})"


# The machine ---------------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def machine() -> list[tuple[str, str]]:
    from importlib.metadata import version  # noqa: PLC0415 - only for the header

    return [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("commit", _commit()),
        ("cpu", f"{_cpu_model()}, {os.cpu_count()} cores, {platform.machine()}"),
        ("memory", _memory_gib()),
        ("os", f"{platform.system()} {platform.release()}"),
        (
            "python",
            f"{platform.python_implementation()} {platform.python_version()} (Lambda runs 3.13 arm64)",
        ),
        (
            "libraries",
            ", ".join(
                f"{name} {version(name)}"
                for name in ("boto3", "botocore", "aws-lambda-powertools", "pydantic", "moto")
            ),
        ),
    ]
