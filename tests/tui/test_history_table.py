"""The History list widget on its own: drawing, the keys and the mouse, the messages it sends."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.screen import Screen

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.tui.widgets.history_table import WIDE_AT, HistoryTable, fit

S = JobState
T0 = 1_764_000_000.0  # 2025-11-24 16:00:00 UTC (conftest pins TZ=UTC)


def jobs(n: int, **fields: Any) -> list[Job]:
    made = []
    for i in range(n):
        job = Job(
            id=1000 - i,
            created_at=T0 - 60 * i,
            prompt=fields.get("prompt", f"prompt number {i}"),
            mode="t2v_720p",
            req_key="jimeng_t2v_v30",
            params={"duration": 5, "fps": 24},
            state=fields.get("state", S.SAVED),
            path=f"/nowhere/{i}.mp4",
            favourite=fields.get("favourite", False),
        )
        made.append(job)
    return made


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def compose(self) -> ComposeResult:
        yield HistoryTable(id="t")

    def on_history_table_row_highlighted(self, message: HistoryTable.RowHighlighted) -> None:
        self.messages.append(("highlighted", message.cursor_row, message.row_key))

    def on_history_table_row_selected(self, message: HistoryTable.RowSelected) -> None:
        self.messages.append(("selected", message.cursor_row, message.row_key))

    def on_history_table_header_selected(self, message: HistoryTable.HeaderSelected) -> None:
        self.messages.append(("header", message.column_key.value))

    def on_history_table_near_end(self, message: HistoryTable.NearEnd) -> None:
        self.messages.append(("near_end",))


def lines(table: HistoryTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_rows_are_drawn_at_fixed_widths_with_wide_characters_cut():
    app = TableApp()
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(HistoryTable)
        rows = jobs(3)
        rows[1].prompt = "城市夜景，霓虹灯在雨中闪烁，镜头缓慢推进，" * 3
        rows[1].favourite = True
        rows[2].state = S.FAILED
        rows[2].error_code = 50412
        table.show_jobs(rows)
        table.set_on_disk({rows[0].id: True, rows[2].id: False})  # type: ignore[dict-item]
        await pilot.pause()
        drawn = lines(table)
        assert drawn[0].split() == ["Date", "▼", "Prompt", "Model", "Len", "Status", "File"]
        assert "11-24 16:00" in drawn[1] and "prompt number 0" in drawn[1] and "✓" in drawn[1]
        assert "★ 城市夜景" in drawn[2] and "…" in drawn[2] and "…" in drawn[2].split("t2v")[1]
        assert "✗ 50412" in drawn[3] and drawn[3].rstrip().endswith("✗")
        widths = {cell_len(line) for line in drawn}
        assert widths == {table.size.width}, widths
        # the columns line up whatever the script: the Mode column starts at one cell
        starts = {cell_len(line[: line.index("t2v_720p")]) for line in drawn[1:4]}
        assert len(starts) == 1
        assert table.get_cell(rows[1].id, "prompt").startswith("★ 城市夜景")  # type: ignore[arg-type]
        assert table.get_cell(rows[2].id, "status") == "✗ 50412"  # type: ignore[arg-type]
        assert table.on_disk(rows[2].id) is False  # type: ignore[arg-type]


def test_fit_pads_and_cuts_by_cells():
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    assert cell_len(fit("城市夜景", 6)) == 6 and fit("城市夜景", 6).endswith("…")
    assert fit("城市夜景", 4) == "城 …"  # a wide character cut in half leaves a space
    assert fit("anything", 0) == ""


async def test_keys_move_the_cursor_and_tell_the_screen():
    app = TableApp()
    async with app.run_test(size=(WIDE_AT + 10, 12)) as pilot:
        table = app.query_one(HistoryTable)
        rows = jobs(50)
        table.show_jobs(rows)
        table.focus()
        await pilot.pause()
        assert app.messages == []  # replacing the rows is not a cursor move
        await pilot.press("down", "down")
        assert table.cursor_row == 2 and table.highlighted_id == rows[2].id
        assert app.messages[-1] == ("highlighted", 2, str(rows[2].id))
        await pilot.press("up")
        assert table.cursor_row == 1
        visible = table.visible_rows
        await pilot.press("pagedown")
        assert table.cursor_row == 1 + visible
        assert table.scroll_offset.y > 0  # the cursor stays in view
        await pilot.press("ctrl+end")
        assert table.cursor_row == 49
        assert table.scroll_offset.y == table.max_scroll_y
        await pilot.press("pageup")
        assert table.cursor_row == 49 - visible
        await pilot.press("ctrl+home")
        assert table.cursor_row == 0 and table.scroll_offset.y == 0
        await pilot.press("enter")
        assert app.messages[-1] == ("selected", 0, str(rows[0].id))


async def test_mouse_clicks_rows_and_headers():
    app = TableApp()
    async with app.run_test(size=(WIDE_AT + 10, 12)) as pilot:
        table = app.query_one(HistoryTable)
        rows = jobs(20)
        table.show_jobs(rows)
        await pilot.pause()
        await pilot.click(HistoryTable, offset=(30, 3))  # the third row
        assert table.cursor_row == 2
        assert app.messages[-1] == ("highlighted", 2, str(rows[2].id))
        await pilot.click(HistoryTable, offset=(30, 3))
        assert app.messages[-1] == ("selected", 2, str(rows[2].id))
        date, prompt, mode = (table.columns[k].width + 2 for k in ("date", "prompt", "mode"))
        await pilot.click(HistoryTable, offset=(date + prompt + mode + 1, 0))
        assert app.messages[-1] == ("header", "length")
        await pilot.click(HistoryTable, offset=(1, 0))
        assert app.messages[-1] == ("header", "date")
        await pilot.hover(HistoryTable, offset=(30, 5))
        assert table._hover == 4
        table.set_order("longest")
        await pilot.pause()
        assert "Len ▼" in lines(table)[0] and "Date ▼" not in lines(table)[0]


async def test_scrolling_near_the_end_asks_for_more_and_rows_can_be_appended_and_removed():
    app = TableApp()
    async with app.run_test(size=(WIDE_AT + 10, 12)) as pilot:
        table = app.query_one(HistoryTable)
        rows = jobs(120)
        table.show_jobs(rows[:60])
        await pilot.pause()
        table.scroll_to(y=5, animate=False)
        await pilot.pause()
        assert app.messages == []
        table.scroll_to(y=15, animate=False)  # the last row in view is within 40 of the end
        await pilot.pause()
        assert app.messages == [("near_end",)]
        table.append_jobs(rows[50:])  # overlapping rows are not added twice
        assert table.loaded == 120 and table.job_ids == [j.id for j in rows]
        table.move_cursor(row=119)
        await pilot.pause()
        assert rows[119].prompt in lines(table)[-1]
        table.remove_job(rows[119].id)  # type: ignore[arg-type]
        assert table.loaded == 119 and table.cursor_row == 118
        assert table.get_row_index(rows[118].id) == 118  # type: ignore[arg-type]
        changed = jobs(1, prompt="a brand new prompt", favourite=True)[0]
        changed.id = rows[118].id
        table.update_job(changed)
        await pilot.pause()
        assert "★ a brand new prompt" in lines(table)[-1]
        # a file check answer is kept for the row when a later result shows it again
        table.set_on_disk({rows[0].id: True})  # type: ignore[dict-item]
        table.show_jobs(rows[:5])
        assert table.on_disk(rows[0].id) is True  # type: ignore[arg-type]
        assert table.on_disk(rows[1].id) is None  # type: ignore[arg-type]


async def test_the_history_screen_can_draw_new_rows_at_once():
    """HistoryScreen._paint_now calls Screen._on_timer_update; a Textual without it only makes
    new rows wait for the frame timer — this says so when Textual changes."""
    assert callable(getattr(Screen, "_on_timer_update", None))
