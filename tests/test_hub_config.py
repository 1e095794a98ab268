"""deploy/jupyterhub/jupyterhub_config.py, read the way JupyterHub reads it (fast; tests/test_hub.py runs it)."""

import json
import re
import sys
from urllib.parse import parse_qs, urlsplit

import pytest
from traitlets.config.loader import PyFileConfigLoader

from losslab.environment.launch import FIRST_LESSON


def _load(repo_root, monkeypatch, **env):
    for name in ("AUTHENTICATOR", "PASSWORD", "SPAWNER", "HOMES", "ADMINS", "IP", "PORT"):
        monkeypatch.delenv(f"LOSSLAB_HUB_{name}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(f"LOSSLAB_HUB_{name}", value)
    path = repo_root / "deploy" / "jupyterhub" / "jupyterhub_config.py"
    return PyFileConfigLoader(path.name, str(path.parent)).load_config()


def test_learners_get_jupyterlab_from_the_course_environment(repo_root, monkeypatch):
    c = _load(repo_root, monkeypatch, PASSWORD="long enough", HOMES="/tmp/homes/")
    assert c.Spawner.default_url == "/lab"
    assert c.Spawner.cmd == [sys.executable, "-m", "jupyterhub.singleuser"]
    assert c.JupyterHub.spawner_class == "simple"
    assert c.SimpleLocalProcessSpawner.home_dir_template == "/tmp/homes/{username}"
    assert c.JupyterHub.authenticator_class == "shared-password"
    assert c.SharedPasswordAuthenticator.user_password == "long enough"
    assert c.JupyterHub.port == 8000
    proxy = c.ConfigurableHTTPProxy.command[0]
    assert proxy.endswith("configurable-http-proxy")


def test_a_class_password_is_required(repo_root, monkeypatch):
    with pytest.raises(SystemExit, match="LOSSLAB_HUB_PASSWORD"):
        _load(repo_root, monkeypatch, PASSWORD="short")


def test_trial_settings_and_admins(repo_root, monkeypatch):
    c = _load(repo_root, monkeypatch, AUTHENTICATOR="dummy", ADMINS="ada, grace", IP="127.0.0.1", PORT="9000")
    assert c.JupyterHub.authenticator_class == "dummy"
    assert c.Authenticator.admin_users == {"ada", "grace"}
    assert (c.JupyterHub.ip, c.JupyterHub.port) == ("127.0.0.1", 9000)


def test_the_proxy_is_pinned_for_npm_ci(repo_root):
    folder = repo_root / "deploy" / "jupyterhub"
    wanted = json.loads((folder / "package.json").read_text())["dependencies"]["configurable-http-proxy"]
    locked = json.loads((folder / "package-lock.json").read_text())["packages"]
    assert locked["node_modules/configurable-http-proxy"]["version"] == wanted


def test_the_documented_links_open_lesson_01_where_nbgitpuller_puts_it(repo_root):
    """nbgitpuller clones into a folder named after the repository: the link must open the lesson there."""
    guide = (repo_root / "deploy" / "jupyterhub" / "README.md").read_text()
    links = re.findall(r"https://<HUB>/hub/user-redirect/git-pull\?\S+", guide)
    assert len(links) >= 2
    for link in links:
        query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        assert set(query) == {"repo", "branch", "urlpath"}, link
        folder = query["repo"].rstrip("/").split("/")[-1]
        assert query["urlpath"] == f"lab/tree/{folder}/{FIRST_LESSON}", link
