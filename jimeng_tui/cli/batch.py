"""``jimeng-tui batch FILE``: many generations from one file, unattended, never paid for twice.

Every line is checked (fields, values, images) before anything is sent; then the lines run at
once through the same engine as ``generate`` (the runner's throttle and ``max_concurrency``
bound them). The file format and the rules for re-running a file live in ``jobs/batch.py``.
Imported only when ``batch`` runs; nothing here imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from jimeng_tui.cli.batch_run import BatchRun
from jimeng_tui.cli.cost import BatchCosts, estimate_json
from jimeng_tui.cli.errors import EXIT_OK, EXIT_USAGE, PROG, UsageError
from jimeng_tui.cli.file_runs import earlier_jobs, output_dir_for, retry_failed, run_locked
from jimeng_tui.cli.output import print_json_line
from jimeng_tui.cli.text import json_safe, printable
from jimeng_tui.jobs import batch as batchfile
from jimeng_tui.jobs.batch import Action, BatchFile, BatchLine
from jimeng_tui.jobs.display import excerpt
from jimeng_tui.jobs.request_builder import conform_note


def load_batch(ns: argparse.Namespace) -> BatchFile:
    """Read and check every line, images included; UsageError when the file is unusable."""
    from jimeng_tui.cli.running import default_model

    try:  # a line without a model gets the session's default
        batch = batchfile.read_batch(Path(ns.file), default_model=default_model(ns))
    except batchfile.BatchFileError as exc:
        raise UsageError(str(exc)) from None
    asyncio.run(batchfile.preflight(batch))
    return batch


BUSY = (
    "{busy}; nothing was submitted. Wait for it to finish (running the file twice at once could "
    "pay for a line twice)"
)


def report_bad_lines(ns: argparse.Namespace, batch: BatchFile) -> int:
    bad = sorted({e.line for e in batch.errors})
    shown = batch.errors[: batchfile.MAX_REPORTED_ERRORS]
    headline = (
        f"{batch.path}: {len(bad)} of {batch.requests_seen} lines are not valid; "
        "nothing was submitted"
    )
    print(f"{PROG}: error: {headline}", file=sys.stderr)
    for error in shown:
        print(printable(f"  {error}"), file=sys.stderr)
    if len(batch.errors) > len(shown):
        print(f"  ... and {len(batch.errors) - len(shown)} more", file=sys.stderr)
    if ns.json:
        print_json_line(
            {
                "type": "summary",
                "file": str(batch.path),
                "valid": False,
                "errors": [
                    {"line": e.line, "field": e.field, "message": e.message} for e in batch.errors
                ],
                "error": {"field": None, "message": headline, "exit_code": EXIT_USAGE},
                "exit_code": EXIT_USAGE,
            }
        )
    return EXIT_USAGE


def describe_request(line: BatchLine) -> str:
    summary, given = line.built.summary, line.fields
    parts = [summary.model, f"{summary.duration_s} s at {summary.fps} fps"]
    sent = line.body.redacted if line.body is not None else {}
    ratio = given.ratio or sent.get("aspect_ratio") or sent.get("ratio")
    if isinstance(ratio, str):
        parts.append(ratio)
    labelled = (
        ("", given.resolution),
        ("first frame ", given.first_image),
        ("last frame ", given.last_image),
        ("reference images ", ", ".join(given.reference_images)),
    )
    parts.extend(f"{label}{value}" for label, value in labelled if value)
    parts.extend(f"{name} {value}" for name, value in given.options.items())
    if given.seed is not None and given.seed != -1:
        parts.append(f"seed {given.seed}")
    if summary.prompt:
        parts.append(json.dumps(excerpt(summary.prompt, 60), ensure_ascii=False))
    return " · ".join(parts)


# ------------------------------------------------------------------------------------------
# the command
# ------------------------------------------------------------------------------------------


def cmd_batch(ns: argparse.Namespace) -> int:
    started = time.monotonic()
    output_dir = output_dir_for(ns, again="submits every line")
    batch = load_batch(ns)
    if batch.errors:
        return report_bad_lines(ns, batch)
    if ns.dry_run:
        return dry_run(ns, batch)
    run = BatchRun(ns, batch, output_dir, started).run
    return run_locked(ns, "locks", batch, run, BUSY)


def dry_run(ns: argparse.Namespace, batch: BatchFile) -> int:
    """Print what a run would do and send, line by line; send and write nothing."""
    earlier = earlier_jobs(ns, batch.history_matches())
    plans = batchfile.plan(batch, earlier, retry_failed=retry_failed(ns), again=ns.again)
    out = sys.stdout
    counts: dict[str, int] = {}
    costs = BatchCosts()  # per-line estimates and the total (issue 16)
    for p in plans:
        counts[p.action] = counts.get(p.action, 0) + 1
        body = est = None
        if p.action is Action.RUN:
            est = costs.add(p.line.built)
            if p.line.body is not None:
                body = p.line.body.redacted
        note = conform_note(p.line.built)
        if ns.json:
            print_json_line(
                {
                    "type": "line",
                    "line": p.line.number,
                    "action": str(p.action),
                    "reason": p.reason or None,
                    "request": dict(p.line.built.params),
                    "body": body,
                    "conform_note": note,
                    "earlier_jobs": [j.id for j in p.earlier],
                    "estimate": estimate_json(est) if est else None,
                }
            )
            continue
        verb = {
            Action.RUN: "would submit",
            Action.RESUME: "would resume",
            Action.SKIP: "already saved",
            Action.BLOCKED: "would not send",
        }[p.action]
        print(printable(f"line {p.line.number}: {verb}: {describe_request(p.line)}"), file=out)
        if p.reason:
            print(f"  {p.reason}", file=out)
        if body is not None:
            print(f"  sends {json_safe(json.dumps(body, ensure_ascii=False))}", file=out)
        if est is not None:
            print(printable(costs.line_text(est)), file=out)
        for said in (note, *p.line.built.notes) if note else p.line.built.notes:
            print(f"  note: {said}", file=out)
    run, skip = counts.get(Action.RUN, 0), counts.get(Action.SKIP, 0)
    resume, blocked = counts.get(Action.RESUME, 0), counts.get(Action.BLOCKED, 0)
    if ns.json:
        print_json_line(
            {
                "type": "summary",
                "file": str(batch.path),
                "sha256": batch.sha256,
                "dry_run": True,
                "lines": len(plans),
                "submit": run,
                "resume": resume,
                "skip": skip,
                "blocked": blocked,
                "estimate": costs.total_json(),
                "exit_code": EXIT_OK,
            }
        )
    else:
        print(printable(costs.total_text(ns)), file=out)
        print(
            f"dry run: {len(plans)} lines: {run} would be submitted, {resume} resumed, {skip} "
            f"already saved, {blocked} not sent again; nothing was sent",
            file=out,
        )
    return EXIT_OK


__all__ = ["cmd_batch"]
