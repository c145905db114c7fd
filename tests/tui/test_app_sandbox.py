"""The app driven like a user would, against the sandbox over a real socket."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from textual.widgets import Input, Select, TextArea
from tui_support import fast_engine_factory, open_settings, wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.sandbox.options import TEXT_RISK_WORD
from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.screens.paid_guard import PaidConfirmScreen

S = JobState


def row_text(app: JimengApp, job_id: int) -> str:
    cells = app.main.queue.get_row(str(job_id))
    return " ".join(getattr(c, "plain", str(c)) for c in cells)


def saved_jobs(app: JimengApp) -> list:
    return [j for j in app.main.jobs.values() if j.state is S.SAVED]


async def type_prompt(pilot, text: str) -> None:
    pilot.app.main.form.focus_prompt()
    await pilot.press(*text)


async def test_fill_form_and_run_a_job_to_a_saved_file(sandbox_app):
    opened: list[Path] = []
    app = sandbox_app(opener=opened.append)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        assert "sandbox" in app.main.header.connection
        await type_prompt(pilot, "a red kite")
        form = app.main.form
        assert str(form.query_one("#counter").render()) == "10 / 800"
        form.query_one("#duration", Select).value = 10
        form.query_one("#aspect_ratio", Select).value = "9:16"
        form.query_one("#seed", Input).value = "42"
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(saved_jobs(app)) == 1, 30, "the job to be saved")
        job = saved_jobs(app)[0]
        assert Path(job.path).is_file()
        assert job.params["seed"] == 42 and job.params["aspect_ratio"] == "9:16"
        assert "saved" in row_text(app, job.id)
        assert Path(job.path).name[:20] in row_text(app, job.id)
        # the details pane shows the original skill's block with the real path
        await pilot.pause()
        md = app.main.details.markdown_text
        assert "**Generated Video:**" in md and f"- Save Path: {job.path}" in md
        # the form kept its values for the next prompt
        assert form.query_one("#prompt", TextArea).text == "a red kite"
        assert form.query_one("#seed", Input).value == "42"
        # actions on the selected job, from the keyboard in the job list
        await pilot.press("f4")
        assert app.focused is app.main.queue
        # (one key at a time: keys in quick succession are typing, for the prompt)
        await pilot.press("u")
        await wait_for(pilot, lambda: app.clipboard == job.video_url, 5, "the URL copied")
        await pilot.press("p")
        await wait_for(pilot, lambda: app.clipboard == job.path, 5, "the path copied")
        await pilot.press("o")
        await wait_for(pilot, lambda: len(opened) == 1, 5, "the file opened")
        await pilot.press("f")
        await wait_for(pilot, lambda: len(opened) == 2, 5, "the folder opened")
        assert opened == [Path(job.path), Path(job.path).parent]
        await pilot.press("l")  # load its parameters into the form
        prompt = form.query_one("#prompt", TextArea)
        await wait_for(pilot, lambda: app.focused is prompt, 5, "the form loaded")
        assert form.build_request().params["seed"] == 42
        await pilot.press("f4", "d")  # dismiss: gone from the queue, still in the history
        await wait_for(pilot, lambda: job.id not in app.main.jobs, 5, "the job dismissed")
        assert app.engine.history.get(job.id) is not None


async def test_a_rejected_prompt_shows_code_and_message(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await type_prompt(pilot, f"{TEXT_RISK_WORD} cat")
        await pilot.press("f5")
        await wait_for(
            pilot,
            lambda: any(j.state is S.FAILED for j in app.main.jobs.values()),
            20,
            "the failure",
        )
        job = next(iter(app.main.jobs.values()))
        assert job.error_code == 50412
        assert "failed 50412" in row_text(app, job.id)
        await pilot.pause()
        md = app.main.details.markdown_text
        assert "50412" in md and "Text Risk Not Pass" in md
        assert "reword it" in md  # what to do, from errors.BUSINESS_ERRORS
        # a toast said so
        assert any("failed" in (n.title or "") for n in app._notifications)
        # retry from the job list: a new job with the same parameters
        await pilot.press("f4", "t")  # a new paid generation: asked first
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 5, "the question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.main.jobs) == 2, 10, "the retried job")
        retried = max(app.main.jobs.values(), key=lambda j: j.id)
        assert retried.params == job.params and retried.id != job.id


async def test_keys_come_from_the_config_and_actions_from_the_palette(sandbox_app):
    from jimeng_tui.store.config import Config, save_config
    from jimeng_tui.store.paths import app_paths
    from jimeng_tui.tui.app import JimengCommands

    save_config(Config(keys={"generate": "f9", "focus_jobs": "f8"}), app_paths(os.environ))
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await type_prompt(pilot, "remapped")
        await pilot.press("ctrl+g")  # no longer Generate
        await pilot.pause(0.2)
        assert not app.main.jobs
        await pilot.press("f9")
        await wait_for(pilot, lambda: len(app.main.jobs) == 1, 10, "the job from F9")
        await pilot.press("f8")
        assert app.focused is app.main.queue
        # the copy actions are offered once the selected job has a link and a file
        await wait_for(
            pilot,
            lambda: any(j.video_url and j.path for j in app.main.jobs.values()),
            30,
            "the job saved",
        )
        provider = JimengCommands(app.screen)
        titles = [hit.text async for hit in provider.search("copy")]
        assert "Copy video URL" in titles and "Copy file path" in titles


async def test_inline_validation_before_anything_is_sent(sandbox_app, sandbox):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        form = app.main.form
        form.query_one("#mode", Select).value = "i2v_first_720p"
        await pilot.pause()
        await type_prompt(pilot, "the cat turns")
        await pilot.press("ctrl+g")
        await pilot.pause()
        error = form.query_one("#err-first_image")
        assert error.display and "takes exactly one first-frame image" in str(error.render())
        assert app.focused is form.query_one("#first_image", Input)
        assert not app.main.jobs and not sandbox.submitted_bodies()
        # a mode without images says why the image inputs are off
        form.query_one("#mode", Select).value = "t2v_720p"
        await pilot.pause()
        assert form.query_one("#first_image", Input).disabled
        assert "takes no image" in str(form.query_one("#image-note").render())
        # a duration the service does not render natively explains the local conform
        form.query_one("#duration", Select).value = 4
        await pilot.pause()
        assert "trimmed from 5 s to 4 s" in str(form.query_one("#conform-note").render())


async def test_a_rate_limited_burst_still_completes(sandbox_factory):
    server = sandbox_factory(max_concurrency=2, speed=2.0, generate_seconds=5.0)  # 3 s a task
    app = JimengApp(engine_factory=fast_engine_factory(server), bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await type_prompt(pilot, "burst")
        for _ in range(6):
            await pilot.press("ctrl+g")
            await pilot.pause(0.05)
        await wait_for(pilot, lambda: len(app.main.jobs) == 6, 10, "six jobs")
        await wait_for(pilot, lambda: len(saved_jobs(app)) == 6, 180, "all six saved")
        codes = [r.get("code") for r in server.requests]
        assert 50430 in codes, codes  # the sandbox did push back
        assert len(server.submitted_bodies()) >= 6
        task_ids = {j.task_id for j in app.main.jobs.values()}
        assert len(task_ids) == 6  # no duplicate task per job


async def test_quit_with_jobs_in_flight_then_resume(sandbox_factory, isolated_home):
    # a task takes about 8 s, so neither can finish while the app asks and quits
    server = sandbox_factory(speed=0.5)
    app = JimengApp(engine_factory=fast_engine_factory(server), bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await type_prompt(pilot, "resume me")
        await pilot.press("ctrl+g")
        await pilot.press("ctrl+g")
        await wait_for(
            pilot,
            lambda: len(app.main.jobs) == 2 and all(j.task_id for j in app.main.jobs.values()),
            10,
            "both submitted",
        )
        assert not any(j.is_final for j in app.main.jobs.values())
        await pilot.press("ctrl+q")  # asks first: jobs are running
        await wait_for(pilot, lambda: bool(app.screen.query(".confirm-text")), 5, "the question")
        assert "still running" in str(app.screen.query_one(".confirm-text").render())
        app.screen.query_one("#yes").press()
        await pilot.pause()
    assert app.return_value == 0
    submitted = len(server.submitted_bodies())

    again = JimengApp(engine_factory=fast_engine_factory(server), bell_on_finish=False)
    async with again.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: len(again.main.jobs) == 2, 10, "the resumed jobs")
        await wait_for(pilot, lambda: len(saved_jobs(again)) == 2, 30, "both saved")
        assert all(Path(j.path).is_file() for j in again.main.jobs.values())
    assert len(server.submitted_bodies()) == submitted  # resumed, never re-submitted


async def test_its_own_sandbox_keeps_jobs_across_a_restart(isolated_home):
    """`jimeng-tui --sandbox`, quit while jobs run, open it again: they finish, once each."""
    from jimeng_tui.sandbox.options import SandboxOptions

    slow = SandboxOptions(queue_seconds=3.0, generate_seconds=3.0)
    app = JimengApp(sandbox=True, sandbox_options=slow, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot, 20)
        await type_prompt(pilot, "still there after a restart")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any(j.task_id for j in app.main.jobs.values()), 10, "a task")
        (job,) = app.main.jobs.values()
        assert not job.is_final
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: bool(app.screen.query(".confirm-text")), 5, "the question")
        app.screen.query_one("#yes").press()
        await pilot.pause()
    assert app.sandbox_server is None  # it stopped with the app
    first_service = job.meta.endpoint

    again = JimengApp(sandbox=True, bell_on_finish=False)
    async with again.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: len(again.main.jobs) == 1, 20, "the resumed job")
        await wait_for(pilot, lambda: len(saved_jobs(again)) == 1, 30, "it saved")
        (resumed,) = again.main.jobs.values()
        assert resumed.id == job.id and resumed.task_id == job.task_id
        assert Path(resumed.path).is_file()
        assert resumed.meta.endpoint != first_service  # another sandbox, another port
        assert again.sandbox_server.requests_for("CVSync2AsyncSubmitTask") == []


async def test_first_run_dialog_saves_credentials_privately(isolated_home):
    app = JimengApp(bell_on_finish=False)  # the real factory: live, no credentials
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, lambda: bool(app.screen.query("#fr-sandbox")), 10, "the first-run dialog"
        )
        app.screen.query_one("#fr-save").press()  # nothing typed: it says what is missing
        await pilot.pause()
        assert "access key" in str(app.screen.query_one("#fr-error").render())
        await pilot.press(*"AKLTFIRSTRUN0000KEY1")
        await pilot.press("enter")
        await pilot.press(*"very-secret-value")
        secret_input = app.screen.query_one("#fr-secret", Input)
        assert secret_input.password
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: app.engine is not None and app.engine.loaded.config.has_credentials,
            10,
            "the engine to reopen with the keys",
        )
        header = app.main.header
        assert header.connection == "live" and header.access_key == "AK…KEY1"
        config_file = app.engine.paths.config_file
    mode = stat.S_IMODE(os.stat(config_file).st_mode)
    assert mode == 0o600
    text = config_file.read_text()
    assert "AKLTFIRSTRUN0000KEY1" in text and "very-secret-value" in text


async def test_keys_typed_at_machine_speed_follow_the_tab(isolated_home):
    """Password managers type 'KEY<Tab>SECRET' in one burst: the secret must land in the
    masked field, never in plain sight in the access key's."""
    from textual import events

    app = JimengApp(bell_on_finish=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, lambda: bool(app.screen.query("#fr-sandbox")), 10, "the first-run dialog"
        )
        burst = [*"AKLTBURST1", "tab", *"s3cret"]
        for key in burst:  # all queued before the first one is handled
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#fr-access", Input).value == "AKLTBURST1"
        assert app.screen.query_one("#fr-secret", Input).value == "s3cret"


async def test_first_run_try_the_sandbox(isolated_home):
    app = JimengApp(bell_on_finish=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, lambda: bool(app.screen.query("#fr-sandbox")), 10, "the first-run dialog"
        )
        app.screen.query_one("#fr-sandbox").press()
        await wait_for(
            pilot, lambda: app.engine is not None and app.engine.is_sandbox, 15, "the sandbox"
        )
        assert app.main.header.connection == "sandbox"
        assert app.sandbox_server is not None
        server = app.sandbox_server
    assert app.sandbox_server is None and not server.running


async def test_settings_are_checked_inline_and_saved_keeping_the_secret(sandbox_app):
    import tomllib

    from jimeng_tui.store.config import Config, CredentialsConfig, save_config
    from jimeng_tui.store.paths import app_paths

    paths = app_paths(os.environ)
    save_config(Config(credentials=CredentialsConfig("AKLTKEEPTHISKEY00001", "keep-me")), paths)
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_settings(pilot)
        secret = screen.query_one("#set-credentials-secret_key", Input)
        assert secret.value == "" and secret.password  # never shown again
        screen.query_one("#set-network-max_concurrency", Input).value = "3"
        screen.query_one("#set-network-timeout", Input).value = "-1"
        screen.query_one("#set-defaults-duration", Select).value = 10
        screen.query_one("#settings-save").press()
        await pilot.pause()
        error = screen.query_one("#set-network-timeout-err")
        assert error.has_class("-shown") and "⚠" in str(error.render())
        assert app.screen is screen  # not saved while something is wrong
        screen.query_one("#set-network-timeout", Input).value = "120"
        screen.query_one("#settings-save").press()
        await wait_for(pilot, lambda: app.screen is not screen, 5, "the screen to close")
        await wait_engine(pilot)
        # the form now starts with the new default
        assert app.main.form.query_one("#duration", Select).value == 10
    saved = tomllib.loads(paths.config_file.read_text())
    assert saved["network"]["max_concurrency"] == 3
    assert saved["network"]["timeout"] == 120
    assert saved["credentials"]["secret_key"] == "keep-me"
    assert saved["defaults"]["duration"] == 10


async def test_generate_while_connecting_runs_once_the_engine_is_up(sandbox_app, sandbox):
    app = sandbox_app(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await type_prompt(pilot, "early bird")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.engine is None and not app.main.jobs
        assert any("starts as soon as" in n.message for n in app._notifications)
        await pilot.press("ctrl+g")  # again, as it seems stuck: still one job
        await pilot.pause()
        assert len(app.main._waiting_requests) == 1
        app._boot()  # the engine opens now
        await wait_for(pilot, lambda: len(saved_jobs(app)) == 1, 30, "the waiting job saved")
        job = saved_jobs(app)[0]
        assert job.params["prompt"] == "early bird" and Path(job.path).stat().st_size > 0
    assert [b["prompt"] for b in sandbox.submitted_bodies()] == ["early bird"]


async def test_a_screenshot_is_saved_in_the_videos_folder_and_its_path_shown(
    sandbox_app, tmp_path, monkeypatch
):
    started_in = tmp_path / "started-here"
    started_in.mkdir()
    monkeypatch.chdir(started_in)
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_engine(pilot)
        shots = app.engine.paths.videos_dir / "screenshots"
        app.action_screenshot()
        await wait_for(pilot, lambda: any(shots.glob("*.svg")), 5, "the screenshot")
        (saved,) = shots.glob("*.svg")
        assert "jimeng-tui" in saved.read_text("utf-8")
        assert not any(started_in.iterdir())  # not in the folder it was started from
        await wait_for(
            pilot, lambda: any(str(saved) in n.message for n in app._notifications), 5, "toast"
        )
        saved.unlink()
        shots.rmdir()
        shots.write_text("a file where the folder should be")  # saving fails, the app goes on
        app.action_screenshot()
        await wait_for(
            pilot,
            lambda: any("Could not save the screenshot" in n.message for n in app._notifications),
            5,
            "the error",
        )
        assert app.is_running
