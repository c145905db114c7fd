"""A service whose error codes are words (Ark: ``InputTextSensitiveContentDetected``): the job
keeps the code, the history stores and filters it, and the CLI shows it and prints it in JSON."""

from __future__ import annotations

import json
import time

from jimeng_tui.cli.entry import main
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.remote import error_code
from jimeng_tui.services.base import Outcome, ServiceFailure
from jimeng_tui.store.history import History
from jimeng_tui.store.paths import app_paths

WORD = "InputTextSensitiveContentDetected"


def test_a_word_code_is_kept_and_a_number_stays_a_number():
    assert error_code(ServiceFailure(Outcome.NO_RETRY, WORD, "m")) == WORD
    assert error_code(ServiceFailure(Outcome.NO_RETRY, "50412", "m")) == 50412
    assert error_code(ServiceFailure(Outcome.NO_RETRY, "", "m")) is None


def test_history_shows_and_prints_a_word_code(isolated_home, capsys):
    import os

    paths = app_paths(os.environ)
    paths.history_db.parent.mkdir(parents=True, exist_ok=True)
    history = History(paths.history_db)
    now = time.time()
    history.add(
        Job(
            id=None,
            created_at=now,
            updated_at=now,
            prompt="a forbidden prompt",
            mode="t2v_720p",
            req_key="jimeng_t2v_v30",
            params={"prompt": "a forbidden prompt"},
            state=JobState.FAILED,
            task_id="cgt-1",
            error_code=WORD,
            error_message="the prompt was refused",
        )
    )
    stored = history.get(1)
    history.close()
    assert stored is not None and stored.error_code == WORD

    assert main(["history", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["status"], row["error_code"]) == ("failed", WORD)
    assert main(["history"]) == 0
    assert f"failed {WORD}" in capsys.readouterr().out
