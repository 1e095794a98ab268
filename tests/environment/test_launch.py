"""Starting JupyterLab the way `python3 course.py lab` does."""

import json
import secrets
import socket
import subprocess
import time
import urllib.request

import pytest

from losslab.environment import launch
from losslab.environment.launch import (
    FIRST_LESSON,
    LAB_OVERRIDES,
    free_port,
    lab_command,
    write_lab_overrides,
)


def test_first_lesson_exists(repo_root):
    assert (repo_root / FIRST_LESSON).is_file()


def test_overrides_are_merged_not_clobbered(tmp_path):
    path = tmp_path / "share/jupyter/lab/settings/overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    assert write_lab_overrides(tmp_path) == path
    written = json.loads(path.read_text())
    assert written["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}
    assert written["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    path.write_text("{broken")
    write_lab_overrides(tmp_path)
    assert json.loads(path.read_text()) == LAB_OVERRIDES


def test_lab_command(repo_root):
    argv = lab_command(repo_root, port=8899, open_browser=False, token="abc")
    assert argv[1:3] == ["-m", "jupyterlab"]
    assert f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}" in argv
    assert "--ServerApp.open_browser=False" in argv and "--ServerApp.port=8899" in argv
    assert "--IdentityProvider.token=abc" in argv and "--ServerApp.ip=127.0.0.1" in argv


def test_main_serves_the_folder_it_is_given(repo_root, tmp_path, monkeypatch):
    """`course.py lab` passes the learner's workspace with --root; a folder without the lessons is refused."""
    started = []
    monkeypatch.setattr(launch.os, "execv", lambda path, argv: started.append(argv))
    monkeypatch.setattr(launch, "write_lab_overrides", lambda: None)
    workspace = tmp_path / "workspace"
    (workspace / FIRST_LESSON).parent.mkdir(parents=True)
    (workspace / FIRST_LESSON).write_text("{}")
    launch.main(["--root", str(workspace), "--no-browser"])
    [argv] = started
    assert f"--ServerApp.root_dir={workspace.resolve()}" in argv and "--ServerApp.open_browser=False" in argv
    with pytest.raises(SystemExit):
        launch.main(["--root", str(tmp_path / "empty")])


def test_free_port_is_free():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def _get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_jupyterlab_starts_serves_the_course_and_stops(repo_root, tmp_path):
    port, token = free_port(), secrets.token_hex(8)
    env = {**__import__("os").environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "HOME": str(tmp_path)}
    write_lab_overrides()
    log = tmp_path / "lab.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            lab_command(repo_root, port=port, open_browser=False, token=token),
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, body = _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.5)
        assert status == 200 and "started" in json.loads(body)
        status, body = _get(f"{base}/api/contents/{FIRST_LESSON}?content=0&token={token}")
        assert status == 200 and json.loads(body)["type"] == "notebook"
        status, body = _get(f"{base}/lab/tree/{FIRST_LESSON}?token={token}", timeout=10)
        assert status == 200 and b"JupyterLab" in body
        status, body = _get(
            f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}"
        )
        schema = json.loads(body)["schema"]["properties"]
        assert schema["fetchNews"]["default"] == "false", "the news pop-up would appear"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    assert server.returncode is not None
