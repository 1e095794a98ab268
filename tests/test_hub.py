"""A class on JupyterHub, for real: the shipped configuration, three learners, lesson 01 at the same time.

Starts ``deploy/jupyterhub/jupyterhub_config.py`` (JupyterHub, configurable-http-proxy
from npm, the simple local-process spawner, the dummy authenticator) on free loopback
ports, then for three learners at once:

1. logs in through the hub's login form and starts the learner's server;
2. follows the nbgitpuller link a learner is given, which clones the course into the
   learner's home folder from a ``file://`` repository: the learners' release
   (``losslab release``) where this checkout can build one, else this checkout's commit;
3. waits until all three are ready, then runs every code cell of lesson 01 in each
   learner's kernel, all three at the same time, through the hub's proxy (Jupyter's
   REST API and the kernel websocket, as JupyterLab does), and checks: no errors, nothing
   on stderr, and the quiz and explorer widgets are created (widget comms and
   widget-view outputs, as many as the committed lesson has).

Then one learner runs lesson 01 again alone (a fresh kernel), for comparison. It
reports the timings (hub start, log-in, pull, lesson 01 per learner and alone) and
each learner's memory (resident and proportional set size of the learner's server
plus kernel) and stops everything: no process it started survives.

Needs ``npm`` (to install configurable-http-proxy into ``deploy/jupyterhub/node_modules``,
pinned by its ``package-lock.json``) and ``git``. Without them it skips, except under CI
(``CI`` set), where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import nbformat
import psutil
import pytest
import requests
import websocket

from losslab.environment.launch import FIRST_LESSON, free_port

pytestmark = pytest.mark.slow

LEARNERS = ("ada", "grace", "linus")
TARGET = "losslab"  # nbgitpuller's folder in each home: the repository's name
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
CELL_TIMEOUT = 300  # seconds; a cell on a busy 2-core machine with three kernels


def _need(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the JupyterHub test, but {what}")
    pytest.skip(f"JupyterHub test skipped: {what}")


@pytest.fixture(scope="module")
def proxy(repo_root) -> Path:
    """configurable-http-proxy, installed from npm beside the hub configuration (``npm ci``)."""
    hub_dir = repo_root / "deploy" / "jupyterhub"
    binary = hub_dir / "node_modules" / ".bin" / "configurable-http-proxy"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            _need("npm is missing (install Node.js 20+ with npm, e.g. `apt-get install npm`)")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(hub_dir)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return binary


@dataclass(frozen=True)
class Course:
    """The git repository nbgitpuller serves, and what it is."""

    url: str
    branch: str
    kind: str


def _release_command() -> list[str] | None:
    """``losslab release`` (the learners' edition, without answers) if this checkout has it."""
    cli = Path(sys.executable).with_name("losslab")
    if not cli.exists():
        return None
    shown = subprocess.run([str(cli), "--help"], capture_output=True, text=True, timeout=120)
    return [str(cli), "release"] if " release" in shown.stdout else None


@pytest.fixture(scope="module")
def course(repo_root, tmp_path_factory) -> Course:
    """A ``file://`` git repository of the course: the learners' release where the checkout can build
    one, else a copy of this checkout's commit (on branch ``class``)."""
    if shutil.which("git") is None:
        _need("git is missing")
    where = tmp_path_factory.mktemp("remote") / TARGET
    release = _release_command()
    if release is not None:
        built = subprocess.run(
            [*release, "--out", str(where)], cwd=repo_root, capture_output=True, text=True, timeout=600
        )
        assert built.returncode == 0, f"losslab release failed:\n{built.stdout}\n{built.stderr}"
        branch = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "--abbrev-ref", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return Course(where.as_uri(), branch, "the learners' release (losslab release)")
    subprocess.run(["git", "clone", "--quiet", "--bare", str(repo_root), str(where)], check=True)
    head = subprocess.run(
        ["git", "-C", str(repo_root), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run(["git", "--git-dir", str(where), "branch", "--force", "class", head], check=True)
    return Course(where.as_uri(), "class", "this checkout's commit")


@dataclass
class Hub:
    url: str
    process: subprocess.Popen
    homes: Path
    log: Path
    start_seconds: float
    descendants: dict = field(default_factory=dict)  # pid -> psutil.Process (knows its start time)

    def remember_processes(self) -> None:
        """Note every process the hub started so far (servers, kernels, the proxy, git)."""
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for child in children:
            self.descendants.setdefault(child.pid, child)

    def alive(self) -> list:
        """The processes the hub started that still run (psutil checks a reused pid by start time)."""
        return [p for p in self.descendants.values() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture(scope="module")
def hub(repo_root, proxy, tmp_path_factory):
    state = tmp_path_factory.mktemp("hub")
    homes = state / "homes"
    port, hub_port, api_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "LOSSLAB_HUB_AUTHENTICATOR": "dummy",
        "LOSSLAB_HUB_HOMES": str(homes),
    }
    argv = [
        sys.executable,  # the course environment: the hub spawns learners' servers with it
        "-m",
        "jupyterhub",
        "-f",
        str(repo_root / "deploy" / "jupyterhub" / "jupyterhub_config.py"),
        "--JupyterHub.ip=127.0.0.1",
        f"--JupyterHub.port={port}",
        f"--JupyterHub.hub_port={hub_port}",
        f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{api_port}",
    ]
    log = state / "hub.log"
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, cwd=state, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    running = Hub(f"http://127.0.0.1:{port}", process, homes, log, 0.0)
    try:
        deadline = started + 120
        while True:
            try:
                if requests.get(f"{running.url}/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the hub did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        running.start_seconds = time.monotonic() - started
        running.remember_processes()
        yield running
    finally:
        _stop(running)


def _stop(hub: Hub) -> None:
    """SIGTERM the hub: it stops learners' servers (and their kernels) and the proxy. Then check that
    nothing it started is left, killing any leftover so that a failure never leaks processes."""
    hub.remember_processes()
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            hub.process.kill()
            hub.process.wait(timeout=10)
    _, left = psutil.wait_procs(hub.alive(), timeout=15)
    for process in left:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(left, timeout=10)
    assert not left, f"the hub's shutdown left these running (now killed): {left}"


# --- one learner ------------------------------------------------------------------------------------


@dataclass
class Learner:
    name: str
    timings: dict = field(default_factory=dict)
    cells: int = 0
    errors: list = field(default_factory=list)
    stderr: list = field(default_factory=list)
    widget_views: int = 0
    widget_comms: int = 0
    memory_mb: dict = field(default_factory=dict)
    api: requests.Session | None = None


def _log_in(hub: Hub, learner: Learner) -> tuple[requests.Session, requests.Session]:
    """Log in through the form, get an API token, start the server; returns (browser, api) sessions."""
    started = time.monotonic()
    browser = requests.Session()
    browser.get(f"{hub.url}/hub/login", timeout=30).raise_for_status()
    xsrf = browser.cookies["_xsrf"]
    answer = browser.post(
        f"{hub.url}/hub/login",
        data={"username": learner.name, "password": "any", "_xsrf": xsrf},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, f"log-in of {learner.name} refused: {answer.status_code}"
    # The hub ties its XSRF token to the log-in session: read the one it set now (as the page's script does).
    browser.get(f"{hub.url}/hub/home", timeout=30).raise_for_status()
    xsrf = [cookie.value for cookie in browser.cookies if cookie.name == "_xsrf"][-1]
    made = browser.post(
        f"{hub.url}/hub/api/users/{learner.name}/tokens",
        json={"note": "hub test", "expires_in": 900},
        headers={"X-XSRFToken": xsrf},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    api = requests.Session()
    api.headers["Authorization"] = f"token {made.json()['token']}"
    asked = api.post(f"{hub.url}/hub/api/users/{learner.name}/server", timeout=30)
    assert asked.status_code in (201, 202), asked.text
    deadline = time.monotonic() + 180
    while True:
        server = api.get(f"{hub.url}/hub/api/users/{learner.name}", timeout=30).json()["servers"].get("", {})
        if server.get("ready"):
            break
        assert time.monotonic() < deadline, f"{learner.name}'s server did not start: {server}"
        time.sleep(0.5)
    learner.timings["log-in"] = time.monotonic() - started
    return browser, api


def git_pull_link(hub_url: str, repo: str, branch: str) -> str:
    """The nbgitpuller link a learner is given (deploy/jupyterhub/README.md documents the same form)."""
    query = urlencode({"repo": repo, "branch": branch, "urlpath": f"lab/tree/{TARGET}/{FIRST_LESSON}"})
    return f"{hub_url}/hub/user-redirect/git-pull?{query}"


def _pull(hub: Hub, learner: Learner, browser: requests.Session, course: Course) -> None:
    """Follow the link as a browser would: the status page, its event stream, then the lesson."""
    started = time.monotonic()
    repo = course.url
    page = browser.get(git_pull_link(hub.url, repo, course.branch), timeout=60)
    assert page.status_code == 200 and page.url.startswith(f"{hub.url}/user/{learner.name}/git-pull"), (
        page.url
    )
    assert repo in page.text, "nbgitpuller's status page should name the repository"
    stream = browser.get(
        f"{hub.url}/user/{learner.name}/git-pull/api",
        params={"repo": repo, "branch": course.branch, "targetpath": TARGET},
        stream=True,
        timeout=120,
    )
    phases = []
    for line in stream.iter_lines(decode_unicode=True):
        if line and line.startswith("data: "):
            event = json.loads(line[6:])
            phases.append(event.get("phase"))
            assert event.get("phase") != "error", f"nbgitpuller failed for {learner.name}: {event}"
            if event.get("phase") == "finished":
                break
    assert "finished" in phases, phases
    lesson = hub.homes / learner.name / TARGET / FIRST_LESSON
    assert lesson.is_file(), f"the lesson was not pulled into {learner.name}'s home"
    opened = browser.get(f"{hub.url}/user/{learner.name}/lab/tree/{TARGET}/{FIRST_LESSON}", timeout=60)
    assert opened.status_code == 200 and "JupyterLab" in opened.text
    learner.timings["pull"] = time.monotonic() - started


def _decode(frame) -> dict:
    """A kernel websocket message (JSON text, or Jupyter's binary frame when buffers are attached)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = struct.unpack("!I", frame[:4])[0]
    offsets = struct.unpack(f"!{count}I", frame[4 : 4 + 4 * count])
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0] : end].decode())


def _run_lesson(hub: Hub, learner: Learner, api: requests.Session, barrier: threading.Barrier) -> None:
    """Open lesson 01 as JupyterLab does (a session and its kernel) and run each code cell in turn."""
    base = f"{hub.url}/user/{learner.name}"
    path = f"{TARGET}/{FIRST_LESSON}"
    content = api.get(f"{base}/api/contents/{quote(path)}", timeout=60).json()["content"]
    notebook = nbformat.from_dict(content)
    session = api.post(
        f"{base}/api/sessions",
        json={"path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": "python3"}},
        timeout=120,
    )
    assert session.status_code == 201, session.text
    kernel = session.json()["kernel"]["id"]
    socket = websocket.create_connection(
        f"{base.replace('http', 'ws', 1)}/api/kernels/{kernel}/channels",
        header=[f"Authorization: {api.headers['Authorization']}"],
        timeout=CELL_TIMEOUT,
    )
    session_id = uuid.uuid4().hex
    barrier.wait(timeout=300)  # all three learners start the lesson together
    started = time.monotonic()
    learner.timings["lesson start"] = started
    try:
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            _execute(socket, session_id, cell.source, learner)
            learner.cells += 1
    finally:
        socket.close()
    learner.timings["lesson 01"] = time.monotonic() - started
    learner.timings["lesson end"] = time.monotonic()


def _execute(socket, session_id: str, code: str, learner: Learner) -> None:
    msg_id = uuid.uuid4().hex
    socket.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "session": session_id,
                    "username": learner.name,
                    "version": "5.3",
                    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "buffers": [],
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": True,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
            }
        )
    )
    replied = idle = False
    while not (replied and idle):
        message = _decode(socket.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "execute_reply":
            replied = True
            if content["status"] != "ok":
                learner.errors.append(f"{content.get('ename')}: {content.get('evalue')}")
        elif kind == "status" and content["execution_state"] == "idle":
            idle = True
        elif kind == "error":
            learner.errors.append(f"{content['ename']}: {content['evalue']}")
        elif kind == "stream" and content["name"] == "stderr":
            learner.stderr.append(content["text"])
        elif kind in ("display_data", "execute_result") and WIDGET_MIME in content["data"]:
            learner.widget_views += 1
        elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            learner.widget_comms += 1


def _memory(hub: Hub, learner: Learner) -> None:
    """Resident and proportional memory of the learner's server and kernel (processes with their name)."""
    hub.remember_processes()
    rss = pss = 0
    for process in hub.alive():
        try:
            if process.environ().get("JUPYTERHUB_USER") != learner.name:
                continue
            info = process.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss, pss = rss + info.rss, pss + getattr(info, "pss", info.rss)
    learner.memory_mb = {"rss": rss / 2**20, "pss": pss / 2**20}


def _learner(hub: Hub, course: Course, name: str, barrier: threading.Barrier) -> Learner:
    learner = Learner(name)
    try:
        browser, api = _log_in(hub, learner)
        _pull(hub, learner, browser, course)
    except BaseException:
        barrier.abort()  # do not leave the others waiting
        raise
    _run_lesson(hub, learner, api, barrier)
    _memory(hub, learner)
    learner.api = api
    return learner


def test_three_learners_run_lesson_01_at_once_through_the_hub(hub, course, repo_root, record_property):
    committed = nbformat.read(repo_root / FIRST_LESSON, as_version=4)
    expected_views = sum(
        WIDGET_MIME in out.get("data", {})
        for cell in committed.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    code_cells = sum(cell.cell_type == "code" for cell in committed.cells)
    barrier = threading.Barrier(len(LEARNERS))
    with ThreadPoolExecutor(len(LEARNERS)) as pool:
        learners = list(pool.map(lambda name: _learner(hub, course, name, barrier), LEARNERS))

    for learner in learners:
        assert learner.cells == code_cells, f"{learner.name} ran {learner.cells} of {code_cells} cells"
        assert not learner.errors, f"{learner.name}: {learner.errors}"
        assert not learner.stderr, f"{learner.name} got stderr: {learner.stderr}"
        assert learner.widget_views == expected_views >= 4, (
            f"{learner.name}: {learner.widget_views} widgets shown, the lesson has {expected_views}"
        )
        assert learner.widget_comms > learner.widget_views, "widgets need their models (comms) too"
        assert learner.memory_mb["rss"] > 100, f"{learner.name}'s processes were not found"
    # "At the same time": every lesson run overlaps every other.
    assert max(x.timings["lesson start"] for x in learners) < min(x.timings["lesson end"] for x in learners)

    # The same lesson for one learner alone (a fresh kernel; the others idle), for comparison.
    alone = Learner(learners[0].name)
    base = f"{hub.url}/user/{alone.name}/api/sessions"
    for session in learners[0].api.get(base, timeout=60).json():  # closing it shuts its kernel down
        assert learners[0].api.delete(f"{base}/{session['id']}", timeout=60).status_code == 204
    _run_lesson(hub, alone, learners[0].api, threading.Barrier(1))
    assert alone.cells == code_cells and not alone.errors and not alone.stderr

    together = max(x.timings["lesson 01"] for x in learners)
    lines = [
        f"served: {course.kind}; hub start {hub.start_seconds:.1f} s; lesson 01 alone "
        f"{alone.timings['lesson 01']:.1f} s, three at once up to {together:.1f} s "
        f"({together / alone.timings['lesson 01']:.1f}x)"
    ]
    for learner in learners:
        t, m = learner.timings, learner.memory_mb
        lines.append(
            f"{learner.name}: log-in {t['log-in']:.1f} s, pull {t['pull']:.1f} s, "
            f"lesson 01 {t['lesson 01']:.1f} s, memory RSS {m['rss']:.0f} MB / PSS {m['pss']:.0f} MB"
        )
        record_property(
            f"{learner.name}_timings", {k: round(t[k], 1) for k in ("log-in", "pull", "lesson 01")}
        )
        record_property(f"{learner.name}_memory_mb", {k: round(v) for k, v in m.items()})
    print("\n" + "\n".join(lines))
