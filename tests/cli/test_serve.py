"""``jimeng-tui serve`` (issue 18): the studio in a real browser (Debian's chromium driven by
Selenium), a job typed in the page runs to "saved"; the token and the same-origin check."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cli_support import history_jobs, no_account_env, wait_for

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
DRIVER = shutil.which("chromedriver")
ANSI = re.compile(r"\x1b(\[[0-9;?<>]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)")
# Keeps what the page's terminal receives (binary WebSocket frames), before textual.js loads.
RECORD_TERMINAL = """
window.__term = [];
const NativeSocket = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const ws = protocols ? new NativeSocket(url, protocols) : new NativeSocket(url);
  const decoder = new TextDecoder();
  ws.addEventListener("message", (e) => {
    if (typeof e.data !== "string") window.__term.push(decoder.decode(e.data, {stream: true}));
  });
  return ws;
};
window.WebSocket.prototype = NativeSocket.prototype;
"""


def answer_to(url: str) -> httpx.Response | None:
    """The server's answer, or None while it is not listening yet (for ``wait_for``)."""
    try:
        return httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(exe: str, *args: str):
    port = free_port()
    env = {**no_account_env(), "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answer_to(url + "/static/css/xterm.css"), 30, 0.1)  # it has started
        yield url, proc
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def browser():
    if CHROMIUM is None or DRIVER is None:
        pytest.skip(
            "no chromium/chromedriver here: apt-get install -y chromium chromium-driver "
            "(.ci/run does it where it can)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=1400,900")
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_TERMINAL})
    return driver


CSI = re.compile(r"\x1b\[([0-9;?<>]*)[ -/]*([@-~])")


def render_screen(stream: str, width: int = 300, height: int = 100) -> str:
    """What a terminal shows after ``stream``: enough of one for Textual's output (cursor
    moves, clears, text; colours and modes ignored)."""
    grid = [[" "] * width for _ in range(height)]
    row = col = 0
    i = 0
    while i < len(stream):
        char = stream[i]
        if char == "\x1b":
            csi = CSI.match(stream, i)
            if csi:
                params, final = csi.groups()
                if final == "H":
                    parts = [int(p) if p.isdigit() else 1 for p in [*params.split(";"), "1"][:2]]
                    row, col = parts[0] - 1, parts[1] - 1
                elif final == "J" and params == "2":
                    grid = [[" "] * width for _ in range(height)]
                i = csi.end()
                continue
            other = ANSI.match(stream, i)
            i = other.end() if other else i + 1
            continue
        if char == "\r":
            col = 0
        elif char == "\n":
            row += 1
        elif char >= " " and 0 <= row < height and 0 <= col < width:
            grid[row][col] = char
            col += 1
        i += 1
    return "\n".join("".join(line).rstrip() for line in grid)


def screen_text(driver) -> str:
    return render_screen(driver.execute_script("return window.__term.join('')"))


def wait_text(driver, predicate, timeout: float, what: str) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = screen_text(driver)
        if predicate(text):
            return text
        time.sleep(0.2)
    raise AssertionError(f"the page never showed {what}; the screen:\n{screen_text(driver)}")


@pytest.mark.timeout(120)
def test_a_browser_runs_a_job_to_saved(exe, tmp_path):
    from PIL import Image
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser()
    try:
        with serving(exe, "--sandbox") as (url, _proc):
            driver.get(url + "/")
            text = wait_text(driver, lambda t: "Generate" in t and "sandbox" in t, 30, "the form")
            assert "Prompt" in text and "Seed" in text
            # typed into the page's terminal (its input element), as a user types
            terminal = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
            terminal.send_keys("a paper boat in the rain")
            wait_text(driver, lambda t: "24 / 800" in t, 10, "the prompt typed")
            ActionChains(driver).key_down(Keys.CONTROL).send_keys("g").key_up(
                Keys.CONTROL
            ).perform()
            wait_text(driver, lambda t: "saved" in t and ".mp4" in t, 60, "the job saved")
            jobs = history_jobs(sandbox=True)
            assert [(j.prompt, j.state.value) for j in jobs] == [
                ("a paper boat in the rain", "saved")
            ]
            assert os.path.getsize(jobs[0].path) > 1000
            time.sleep(0.5)
            png = driver.get_screenshot_as_png()
            # o on the saved job: the video comes down to the browser, byte for byte
            downloads = tmp_path / "downloads"
            downloads.mkdir()
            driver.execute_cdp_cmd(
                "Browser.setDownloadBehavior",
                {"behavior": "allow", "downloadPath": str(downloads)},
            )
            terminal.send_keys(Keys.F4)
            time.sleep(0.3)
            terminal.send_keys("o")
            saved = Path(jobs[0].path)
            got = downloads / saved.name
            wait_for(lambda: got.exists() and got.stat().st_size == saved.stat().st_size, 20, 0.2)
            assert got.read_bytes() == saved.read_bytes()
        (tmp_path / "browser.png").write_bytes(png)
        image = Image.open(io.BytesIO(png)).convert("RGB")
        assert image.size[0] >= 1000
        colours = image.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 20  # a drawn page, not a blank one
        # the Generate button's blue is on the page (Textual's $primary, #0178D4)
        assert any(
            abs(r - 0x01) < 12 and abs(g - 0x78) < 12 and abs(b - 0xD4) < 12
            for _, (r, g, b) in colours
        )
    finally:
        driver.quit()


def test_off_loopback_a_token_is_made_and_required(exe):
    port = free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--host", "0.0.0.0", "--port", str(port)],
        env=no_account_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        first = proc.stdout.readline()
        assert f"serving the studio at http://0.0.0.0:{port}" in first
        token = re.search(r"\?token=(\S+)", proc.stdout.readline()).group(1)
        rest = "".join(proc.stdout.readline() for _ in range(3))
        assert "TLS" in rest and "--public-url https://" in rest and "ssh -L" in rest
        base = f"http://127.0.0.1:{port}"
        answer = wait_for(lambda: answer_to(base + "/"), 20, 0.1)
        assert answer.status_code == 401 and "?token=" in answer.text
        assert httpx.get(base + "/?token=wrong").status_code == 401
        assert httpx.get(base + "/download/x").status_code == 401
        entry = httpx.get(base + "/?token=" + token)
        assert entry.status_code == 302 and entry.headers["location"] == "/"
        cookie = entry.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        with httpx.Client(base_url=base, cookies=entry.cookies) as client:
            page = client.get("/")
            assert page.status_code == 200 and "textual-terminal" in page.text
            hijack = client.get(
                "/ws",
                headers={
                    "Origin": "http://evil.example",
                    "Connection": "Upgrade",
                    "Upgrade": "websocket",
                    "Sec-WebSocket-Version": "13",
                    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                },
            )
            assert hijack.status_code == 403
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=15)


def test_a_port_in_use_is_a_clear_usage_error(exe_cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = exe_cli("serve", "--port", str(port))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert f"--port {port + 1}" in result.stderr and "Traceback" not in result.stderr
