"""``jimeng-tui cancel ID``: cancel a job by its job id or its task id (issue 15 item 7).

Seedance (Ark) removes a queued task (the job ends ``cancelled``, nothing is billed) and refuses a
running one (exit 1, the job is untouched); Jimeng 3.0 has no cancel, so the job is only no
longer followed here, and the command says so. The engine's ``Runner.cancel_remote`` decides;
this module finds the job and prints. Imported only when it runs; it loads no Textual.
"""

from __future__ import annotations

import argparse
import sys

from jimeng_tui.cli.commands import ParserSpec
from jimeng_tui.cli.errors import EXIT_FAILED, EXIT_OK, UsageError, error_line
from jimeng_tui.cli.flags import JSON_FLAG, Flag, flag_adder

HELP = "cancel a job (a queued Seedance task on the service; Jimeng 3.0: here only)"
DESCRIPTION = (
    "Cancel a job, by its job id (as history shows it) or its task id. Seedance (Ark) cancels "
    "a queued task on the service (nothing is billed) and refuses a running one; Jimeng 3.0 "
    "has no cancel, so the job is only no longer followed here (the task may still finish and "
    "be billed)."
)
EPILOG = (
    "exit status: 0 cancelled; 1 not cancelled (running on the service, or already ended); "
    "2 unknown id\n\nexamples:\n  jimeng-tui cancel 12\n"
    "  jimeng-tui cancel cgt-20261207021500-abcde --sandbox --json\n"
)


ID_ARGUMENT = Flag("id", metavar="ID", help="a job id or a task id")
PARSER = ParserSpec(HELP, DESCRIPTION, EPILOG, flag_adder((None, (ID_ARGUMENT, JSON_FLAG))))


def cmd_cancel(ns: argparse.Namespace) -> int:
    from jimeng_tui.cli.hints import sandbox_flag
    from jimeng_tui.cli.running import Session, run_engine_command

    wanted = ns.id.strip()

    async def body(session: Session) -> int:
        from jimeng_tui.cli.output import job_json, print_json
        from jimeng_tui.cli.text import printable

        engine = session.engine
        assert engine is not None
        job = engine.history.find_task(wanted)
        if job is None and wanted.isdigit() and len(wanted) < 12:
            job = engine.history.get(int(wanted))
        if job is None or job.id is None:
            where = "sandbox history" if engine.is_sandbox else "history"
            raise UsageError(
                f"{wanted!r} is neither a job id nor a task id in the {where} "
                f"(`jimeng-tui history{sandbox_flag(ns)}` lists them)",
                field="id",
            )
        session.require_credentials(job.meta.service_name)
        outcome = await engine.runner.cancel_remote(job.id)
        if ns.json:
            print_json(
                {"result": str(outcome.result), "message": outcome.message}
                | {"job": job_json(outcome.job)}
            )
        elif outcome.cancelled:
            print(printable(outcome.message))
        else:
            print(error_line(printable(outcome.message)), file=sys.stderr)
        return EXIT_OK if outcome.cancelled else EXIT_FAILED

    return run_engine_command(ns, body, quiet=True)


__all__ = ["PARSER", "cmd_cancel"]
