"""What a Seedance (Ark) job shows in the studio: the job list's short model name (it fits at 80
columns) and ♪ for sound, the details' model, tokens and sound, the last frame's thumbnail when
the service's last frame is on disk; History's table and details name the model too."""

from __future__ import annotations

import dataclasses

from textual.widgets import Static
from tui_support import FROZEN_NOW, SEEDANCE_2, make_job, seedance_job, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.tui.app import JimengApp

S = JobState


def cell_text(app, job_id: int, column: str) -> str:
    return app.main.queue.get_cell(str(job_id), column).plain


async def test_the_job_list_and_details_show_model_tokens_sound_and_last_frame(tmp_path):
    app = JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.main.panels_ready, what="the job list")
        jimeng = make_job(1, S.SAVED, prompt="a red kite", path=str(tmp_path / "kite.mp4"))
        app.main.show_jobs([jimeng, seedance_job(2, tmp_path)])
        await pilot.pause()
        assert cell_text(app, 2, "mode") == "seedance-2.0\n8 s · 24 fps ♪"  # not the long id
        assert cell_text(app, 1, "mode") == "t2v_720p\n5 s · 24 fps"
        app.main.focus_job(2)
        await wait_for(pilot, lambda: "Tokens" in app.main.details.markdown_text, 5, "details")
        text = app.main.details.markdown_text
        assert f"- Mode: {SEEDANCE_2}" in text and "- Model: Seedance 2.0\n" in text
        assert "- Tokens: 173,700" in text and "- Sound: ♪ in the file" in text
        assert f"- Last frame saved: {tmp_path / 'lighthouse.last.png'}" in text
        details = app.main.details
        await wait_for(pilot, lambda: bool(details.query(".caption")), 10, "the last frame")
        caption = details.query_one("#poster .caption", Static)
        assert str(caption.render()) == "last frame"
        assert details.query("#poster .halfblock")  # the thumbnail, drawn in half blocks
        # a Jimeng 3.0 job: its block as before, no Seedance lines, no last frame
        app.main.focus_job(1)
        await wait_for(pilot, lambda: "a red kite" in details.markdown_text, 5, "job 1")
        await pilot.pause(0.2)
        assert "Tokens" not in details.markdown_text and "- Model:" not in details.markdown_text
        assert not details.query("#poster .caption")


async def test_a_running_seedance_job_says_what_was_asked(tmp_path):
    running = dataclasses.replace(
        seedance_job(3, tmp_path, last_frame=False),
        state=S.GENERATING,
        path=None,
        saved_at=None,
        finished_at=None,
        meta=JobMeta(service="ark"),
    )
    app = JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.main.panels_ready, what="the job list")
        app.main.show_jobs([running])
        await wait_for(pilot, lambda: "Model" in app.main.details.markdown_text, 5, "details")
        text = app.main.details.markdown_text
    assert f"- Model: Seedance 2.0 ({SEEDANCE_2})" in text
    assert "- Resolution: 720p" in text and "- Ratio: 16:9" in text
    assert "- Sound: ♪ asked for" in text


async def test_history_names_the_model_with_tokens_and_sound(tmp_path, sandbox):
    from jimeng_tui.session import open_engine
    from jimeng_tui.tui.screens.history import HistoryScreen

    engine = open_engine(sandbox=sandbox)
    try:
        job = engine.history.add(seedance_job(None, tmp_path))
        app = JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False)
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(HistoryScreen(engine))
            await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), 5, "history")
            history = app.screen
            await wait_for(pilot, lambda: bool(history.query("HistoryTable")), 10, "the table")
            await wait_for(pilot, lambda: history.highlighted is not None, 10, "the row")
            table = history.table
            drawn = "".join(p[0] for p in table._pieces(next(iter(table._rows.values()))))
            detail = history.query_one("#hs-detail")
            await wait_for(pilot, lambda: "Tokens" in detail.markdown_text, 5, "the detail")
            body = detail.markdown_text
    finally:
        await engine.aclose()
    assert job.id is not None
    assert " S2.0 " in drawn and "doubao" not in drawn  # at 80 columns: the version shows
    assert f"- Model: `{SEEDANCE_2}` — Seedance 2.0" in body
    assert "- Tokens: 173,700" in body and "- Sound: ♪ in the file" in body
    assert "- Resolution: 720p" in body and "- Sound asked: yes" in body


async def test_a_failed_seedance_job_says_what_to_do_for_its_word_code(tmp_path):
    failed = dataclasses.replace(
        seedance_job(4, tmp_path, last_frame=False),
        state=S.FAILED,
        path=None,
        saved_at=None,
        error_code="InputTextSensitiveContentDetected",
        error_message="The request failed because the input text may contain sensitive info.",
        meta=JobMeta(service="ark"),
    )
    app = JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.main.panels_ready, what="the job list")
        app.main.show_jobs([failed])
        await wait_for(pilot, lambda: "What to do" in app.main.details.markdown_text, 5)
        text = app.main.details.markdown_text
    assert "## ✗ InputTextSensitiveContentDetected · Failed" in text
    assert "What to do: The prompt failed content review: reword it" in text
    assert "Load it into the form (l), change it" in text
