"""``jimeng-tui tasks``: the account's tasks of the last 7 days on the services that list them
(Seedance/Ark), with whether the history knows each; ``tasks adopt TASK_ID`` follows one it does
not know to a saved video (polled, downloaded, verified, saved; never submitted) (issue 15 item 8).
Imported only when it runs; it loads no Textual.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from jimeng_tui.cli.commands import ParserSpec
from jimeng_tui.cli.errors import EXIT_OK, UsageError
from jimeng_tui.cli.flags import Flag, flag_adder

HELP = "the account's recent Seedance tasks; adopt one the history does not know"
DESCRIPTION = (
    "List the account's tasks of the last 7 days on the services that can list them "
    "(Seedance/Ark), newest first, with whether the history knows each. A task it does not "
    "know (made in the web console, or by a submit whose answer was lost) can be adopted: "
    "`tasks adopt TASK_ID` follows it to a saved video without submitting anything."
)
EPILOG = (
    "examples:\n  jimeng-tui tasks\n  jimeng-tui tasks --sandbox --json\n"
    "  jimeng-tui tasks adopt cgt-20261207021500-abcde\n"
    "  jimeng-tui tasks adopt cgt-20261207021500-abcde --job 12   (job 12 is submit_unknown)\n"
)


TASKS_FLAGS = (
    Flag("action", nargs="?", choices=("adopt",), help="adopt TASK_ID"),
    Flag("task_id", nargs="?", metavar="TASK_ID", help="the task to adopt"),
    Flag(
        "--job",
        type=int,
        metavar="JOB_ID",
        help="adopt into this submit_unknown job (its create made the task): it keeps its prompt",
    ),
    Flag("--json", action="store_true", help="print JSON"),
)
PARSER = ParserSpec(HELP, DESCRIPTION, EPILOG, flag_adder((None, TASKS_FLAGS)))


def cmd_tasks(ns: argparse.Namespace) -> int:
    from jimeng_tui.cli.running import Session, run_engine_command

    if ns.action == "adopt" and not (ns.task_id or "").strip():
        raise UsageError("tasks adopt needs the TASK_ID (`jimeng-tui tasks` lists them)")
    if ns.job is not None and ns.action != "adopt":
        raise UsageError("--job goes with `tasks adopt TASK_ID`", field="job")
    if ns.action is None and ns.task_id:
        raise UsageError(f"unexpected {ns.task_id!r}: did you mean `jimeng-tui tasks adopt ID`?")

    async def body(session: Session) -> int:
        if ns.action == "adopt":
            return await _adopt(session, ns)
        return await _list(session, ns)

    return run_engine_command(ns, body, quiet=ns.action is None or ns.json)


async def _list(session: Any, ns: argparse.Namespace) -> int:
    from jimeng_tui.cli.output import print_json
    from jimeng_tui.cli.text import printable
    from jimeng_tui.jobs.adopt import account_tasks, listing_services

    engine = session.engine
    if not listing_services(engine.runner):
        raise UsageError(
            "no service set up here lists its tasks: add an Ark API key (ARK_API_KEY or "
            "[credentials] ark_api_key; `jimeng-tui locate` shows the config file)"
        )
    found = await account_tasks(engine.runner)
    if ns.json:
        print_json([_task_json(task) for task in found])
        return EXIT_OK
    if not found:
        print("no tasks in the last 7 days")
        return EXIT_OK
    for task in found:
        view = task.view
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(view.created_at or 0))
        known = (
            f"job {task.job.id} ({task.job.state})"
            if task.job is not None
            else "not in the history: jimeng-tui tasks adopt " + view.task_id
        )
        line = f"{when}  {view.task_id}  {task.status:<9}  {task.model}  {known}"
        print(printable(line))
    for job in _unknown_submits(engine):
        when = time.strftime("%H:%M", time.localtime(job.created_at))
        print(
            printable(
                f"job {job.id} ({job.mode}, {when}) is submit_unknown: if one of the tasks "
                f"above is its, `jimeng-tui tasks adopt TASK_ID --job {job.id}`; else submit "
                "it again yourself"
            )
        )
    return EXIT_OK


def _unknown_submits(engine: Any) -> list[Any]:
    """The history's submit_unknown jobs of the services that list tasks (last 7 days)."""
    from jimeng_tui.jobs.adopt import LIST_DAYS, listing_services
    from jimeng_tui.store.history import HistoryQuery

    since = time.time() - LIST_DAYS * 86400
    query = HistoryQuery(status="submit_unknown", since=since, limit=None)
    listing = listing_services(engine.runner)
    return [job for job in engine.history.query(query) if job.meta.service_name in listing]


def _task_json(task: Any) -> dict[str, Any]:
    view = task.view
    return {
        "service": task.service,
        "task_id": view.task_id,
        "status": task.status,
        "model": task.model,
        "created_at": view.created_at,
        "tokens": view.usage_tokens,
        "known": task.job is not None,
        "job_id": task.job.id if task.job is not None else None,
        "job_status": str(task.job.state) if task.job is not None else None,
    }


async def _adopt(session: Any, ns: argparse.Namespace) -> int:
    from jimeng_tui.cli.results import report_final
    from jimeng_tui.cli.running import drive_job
    from jimeng_tui.jobs.adopt import adopt_task

    engine = session.engine
    session.require_credentials("ark")
    job = await adopt_task(engine.runner, ns.task_id.strip(), into=ns.job)
    if job.is_final:
        return report_final(ns, job)
    session.progress.track(job)
    print(f"adopted task {job.task_id} as job {job.id}", file=sys.stderr)
    job = await drive_job(session, job, {"job": None}, follow=True)
    return report_final(ns, job)


__all__ = ["PARSER", "cmd_tasks"]
