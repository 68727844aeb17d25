"""Section 6: package size. `sam build` for the Lambda target (LAYER_TARGET=lambda: python3.13 arm64
wheels), as `make build` runs it but into a scratch build directory; then every artifact directory is
zipped as `sam package` would upload it (deflate), and measured zipped and unzipped."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.report import ROOT, Section

SAM = ROOT / ".venv-sam" / "bin" / "sam"


@dataclass
class Artifact:
    name: str
    files: int
    unzipped: int
    zipped: int
    largest: list[tuple[str, int]]  # top-level entries by unzipped size


def _zip_size(directory: Path) -> int:
    with tempfile.TemporaryFile() as scratch:
        with zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(directory.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(directory))
        scratch.seek(0, os.SEEK_END)
        return scratch.tell()


def measure_directory(name: str, directory: Path) -> Artifact:
    files = [path for path in directory.rglob("*") if path.is_file()]
    by_top: dict[str, int] = defaultdict(int)
    for path in files:
        parts = path.relative_to(directory).parts
        top = "/".join(parts[:2]) if parts[0] == "python" and len(parts) > 1 else parts[0]
        by_top[top] += path.stat().st_size
    largest = sorted(by_top.items(), key=lambda pair: -pair[1])[:6]
    return Artifact(
        name, len(files), sum(path.stat().st_size for path in files), _zip_size(directory), largest
    )


def build(build_dir: Path) -> float:
    """sam build for Lambda into build_dir; the seconds it took."""
    if not SAM.exists():
        raise RuntimeError(f"{SAM} not found: run `make venv-sam`")
    env = dict(os.environ)
    env |= {
        "LAYER_TARGET": "lambda",
        "PYTHON": sys.executable,
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": env.get("AWS_DEFAULT_REGION", "us-east-1"),
    }
    started = time.perf_counter()
    result = subprocess.run(
        [
            str(SAM),
            "build",
            "--template",
            "template.yaml",
            "--build-dir",
            str(build_dir),
            "--config-env",
            "default",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"sam build failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def measure_build(build_dir: Path) -> list[Artifact]:
    return [measure_directory(path.name, path) for path in sorted(build_dir.iterdir()) if path.is_dir()]


def measure_sources() -> list[Artifact]:
    """Without a build (the smoke run): the function folders and the layer's own package, as sources."""
    artifacts = [
        measure_directory(path.name, path) for path in sorted((ROOT / "functions").iterdir()) if path.is_dir()
    ]
    artifacts.append(
        measure_directory("tickets (layer package, sources only)", ROOT / "layers" / "shared" / "tickets")
    )
    return artifacts


def report(artifacts: list[Artifact], built: bool, seconds: float) -> Section:
    section = Section("6. Package size")
    if built:
        section.add(
            f"`sam build` with LAYER_TARGET=lambda (python3.13 arm64 wheels) into a scratch directory "
            f"({seconds:.0f} s), each artifact zipped with deflate as `sam package` uploads it. Lambda's "
            "limits: 50 MB zipped per upload, 250 MB unzipped for a function with its layers.",
            "",
        )
    else:
        section.add("Smoke run: no build, the sources measured (not the deployment packages).", "")
    rows = []
    for artifact in artifacts:
        largest = "; ".join(f"{name} {size / 1024:.0f} KiB" for name, size in artifact.largest[:5])
        rows.append(
            [
                artifact.name,
                artifact.files,
                f"{artifact.zipped / 1024:.1f} KiB",
                f"{artifact.unzipped / 1024:.1f} KiB",
                largest,
            ]
        )
    section.table(["artifact", "files", "zipped", "unzipped", "largest parts (unzipped)"], rows)
    return section
