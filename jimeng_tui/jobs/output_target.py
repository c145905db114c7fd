"""Where a video will be saved, checked before anything is sent.

A paid video must have somewhere to go: the folder (``-o``'s, ``--output-dir``, ``output_dir``
in the config, the default) must be a folder this user can write, or one that can be created
under such a folder, and the file-name template must hold only known placeholders. Both are
known before the submit, so they are refused then (a ValidationError naming the setting and
where it came from) instead of failing the job after the service was paid.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.jobs.naming import render_filename


class OutputSettings(Protocol):  # the runner's settings (no import back: no cycle)
    output_dir: Path
    filename_template: str
    output_dir_source: str


def check_template(template: str) -> None:
    """ValidationError("filename_template", naming the unknown placeholder and the allowed)."""
    render_filename(
        template, prompt="x", task_id="1", mode="t2v_720p", job_id=1, created_at=0.0, seed=-1
    )


def folder_problem(folder: Path) -> str | None:
    """Why nothing can be saved in ``folder`` (created with its parents when missing), or None."""
    folder = Path(folder).expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            return f"{folder} cannot be created"
        existing = existing.parent
    if not existing.is_dir():
        return f"{folder} cannot be created: {existing} is a file, not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        if existing == folder:
            return f"the folder {folder} is not writable"
        return f"{folder} cannot be created: the folder {existing} is not writable"
    return None


def check_output_target(folder: Path, template: str | None, *, source: str = "") -> None:
    """Raise ValidationError when a video could not be saved in ``folder`` under ``template``
    (None: an exact file was given, no template is used). ``source`` says where the folder
    was set ("output_dir in /…/config.toml"), for the message."""
    if template is not None:
        check_template(template)
    problem = folder_problem(folder)
    if problem is not None:
        where = f" (the output folder, from {source})" if source else ""
        raise ValidationError(
            "output_dir", f"{problem}{where}; nothing was sent. Choose a folder you can write to"
        )


def check_output(settings: OutputSettings, output: Path | None = None) -> None:
    """The runner's target: ``output`` (an exact file, ``-o``) or its folder and template."""
    if output is not None:
        check_output_target(Path(output).parent, None, source="--output")
    else:
        check_output_target(
            settings.output_dir, settings.filename_template, source=settings.output_dir_source
        )
