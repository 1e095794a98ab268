"""JupyterHub configuration for a Loss Lab class: every learner gets JupyterLab with the course.

Run it from the course's environment (the hub starts each learner's server with the
same Python, so TensorFlow, JupyterLab, the ``losslab`` package and nbgitpuller are
there), in a folder that keeps the hub's state (its database and cookie secret)::

    cd /srv/losslab-hub            # any writable folder
    /path/to/course/.venv/bin/jupyterhub -f /path/to/course/deploy/jupyterhub/jupyterhub_config.py

Learners then open the nbgitpuller link from deploy/jupyterhub/README.md, which copies
the course into their home folder and opens lesson 01. ``tests/test_hub.py`` runs exactly
this file with three learners.

Settings read from the environment (all optional except the password):

=========================  =====================================================================
LOSSLAB_HUB_AUTHENTICATOR  ``shared-password`` (default: one class password, set
                           LOSSLAB_HUB_PASSWORD, 8+ characters), ``dummy`` (anyone, any
                           password: trials and tests only) or any authenticator class
                           JupyterHub accepts (e.g. ``oauthenticator.GitHubOAuthenticator``)
LOSSLAB_HUB_SPAWNER        ``simple`` (default: every learner's server runs as the hub's own
                           system user, home folders under LOSSLAB_HUB_HOMES: NO isolation
                           between learners) or e.g. ``localprocess`` (one system user per
                           learner), ``systemdspawner.SystemdSpawner``, ``dockerspawner.DockerSpawner``
LOSSLAB_HUB_HOMES          where ``simple`` puts learners' homes (default /srv/losslab/homes)
LOSSLAB_HUB_ADMINS         comma-separated admin user names
LOSSLAB_HUB_IP / _PORT     where the hub listens (default all interfaces, port 8000)
=========================  =====================================================================
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it reads this file)

HERE = Path(__file__).resolve().parent

# --- who may log in ---------------------------------------------------------------------------------
authenticator = os.environ.get("LOSSLAB_HUB_AUTHENTICATOR", "shared-password")
c.JupyterHub.authenticator_class = authenticator
if authenticator == "shared-password":
    password = os.environ.get("LOSSLAB_HUB_PASSWORD", "")
    if len(password) < 8:
        sys.exit(
            "Set LOSSLAB_HUB_PASSWORD (8 characters or more): the class password learners log in with "
            "(or choose another authenticator with LOSSLAB_HUB_AUTHENTICATOR; see deploy/jupyterhub/README.md)."
        )
    c.SharedPasswordAuthenticator.user_password = password
admins = {name.strip() for name in os.environ.get("LOSSLAB_HUB_ADMINS", "").split(",") if name.strip()}
if admins:
    c.Authenticator.admin_users = admins

# --- where learners' servers run ----------------------------------------------------------------------
c.JupyterHub.spawner_class = os.environ.get("LOSSLAB_HUB_SPAWNER", "simple")
c.SimpleLocalProcessSpawner.home_dir_template = (
    os.environ.get("LOSSLAB_HUB_HOMES", "/srv/losslab/homes").rstrip("/") + "/{username}"
)
# The learner's server is this Python's jupyterhub-singleuser: the course environment.
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.args = []
if hasattr(os, "geteuid") and os.geteuid() == 0:
    # Containers and CI run everything as root; Jupyter refuses that unless asked explicitly.
    c.Spawner.args.append("--ServerApp.allow_root=True")
c.Spawner.environment = {"TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
# TensorFlow's first import takes a few seconds per learner; a busy machine needs slack.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
# A learner running a lesson uses about 0.9 GB (measured by tests/test_hub.py); only
# spawners with a resource manager (systemd, Docker, Kubernetes) enforce this limit.
c.Spawner.mem_limit = "2G"

# --- the proxy in front of everything ------------------------------------------------------------------
c.JupyterHub.ip = os.environ.get("LOSSLAB_HUB_IP", "")
c.JupyterHub.port = int(os.environ.get("LOSSLAB_HUB_PORT", "8000"))
# configurable-http-proxy from npm: `npm ci --prefix deploy/jupyterhub` puts it beside this file.
local_proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [
    str(local_proxy)
    if local_proxy.exists()
    else (shutil.which("configurable-http-proxy") or "configurable-http-proxy")
]
