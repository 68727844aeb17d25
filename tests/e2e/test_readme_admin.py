"""The README's admin CLI block for the local stack works as copied: each `make admin ARGS='--local ...'`
line, run against this run's stack (its stack file in place of `make run`'s), succeeds and prints JSON."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess

import pytest

from tests.e2e.conftest import ROOT

# `make admin ARGS='--local ...'` or `make admin ARGS="--local ..."`, as the README writes them.
_LOCAL_COMMAND = re.compile(r"""^make admin ARGS=(['"])(--local .*)\1$""")


def readme_local_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text().splitlines()
    return [match.group(2) for line in lines if (match := _LOCAL_COMMAND.match(line.strip()))]


def test_the_readme_has_a_local_admin_block() -> None:
    assert len(readme_local_commands()) >= 4


@pytest.mark.parametrize("arguments", readme_local_commands())
def test_each_local_admin_command_of_the_readme_works_as_copied(arguments: str) -> None:
    # Given the README's command, pointed at this run's local stack (make run's is .local/stack.json)
    stack_file = ROOT / os.environ.get("STACK_FILE", ".local/stack.json")
    if not stack_file.exists() or "endpoint" not in json.loads(stack_file.read_text()):
        pytest.skip("the admin CLI's --local needs a local stack (not a deployment given by API_URL)")
    pointed = arguments.replace("--local", f"--local --stack-file {shlex.quote(str(stack_file))}", 1)

    # When it is run as the README says, through make
    run = subprocess.run(
        ["make", "--no-print-directory", "admin", f"ARGS={pointed}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    # Then it succeeds and prints one JSON object
    assert run.returncode == 0, run.stdout + run.stderr
    assert isinstance(json.loads(run.stdout), dict), run.stdout
