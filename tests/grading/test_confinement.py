"""The OS limits a grading worker puts on itself; each test confines a throwaway subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from losslab.grading import confinement

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="confinement uses Linux namespaces and Landlock"
)


def _confined(script: str, cwd) -> dict:
    """Run ``script`` (which fills the dict ``result``) in a new Python; return ``result``."""
    code = "import json, os\nfrom losslab.grading import confinement\nresult = {}\n" + textwrap.dedent(script)
    code += "\nprint(json.dumps(result))"
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_readable_roots_are_absolute_existing_folders():
    roots = confinement.readable_roots()
    assert roots and all(os.path.isabs(r) and os.path.exists(r) for r in roots)
    assert os.path.realpath(sys.prefix) in roots


def test_filesystem_rules_allow_scratch_and_readable_minus_protected(tmp_path):
    readable, scratch = tmp_path / "readable", tmp_path / "scratch"
    (readable / "tests").mkdir(parents=True)
    scratch.mkdir()
    (readable / "public.txt").write_text("public")
    (readable / "tests" / "secret.txt").write_text("secret")
    (tmp_path / "elsewhere.txt").write_text("elsewhere")
    script = f"""
import sys
readable = [p for p in confinement.readable_roots() if not {str(tmp_path)!r}.startswith(p)] + [{str(readable)!r}]
result["landlock"] = confinement.restrict_filesystem({str(scratch)!r}, [{str(readable / "tests")!r}], readable)
for name, action in [
    ("public", "open({str(readable / "public.txt")!r}).read()"),
    ("secret", "open({str(readable / "tests" / "secret.txt")!r}).read()"),
    ("elsewhere", "open({str(tmp_path / "elsewhere.txt")!r}).read()"),
    ("write_readable", "open({str(readable / "new.txt")!r}, 'w').close()"),
    ("write_scratch", "open({str(scratch / "new.txt")!r}, 'w').close()"),
    ("import_stdlib", "__import__('xml.dom.minidom')"),
]:
    try:
        exec(action)
        result[name] = "allowed"
    except (OSError, ImportError) as exc:
        result[name] = type(exc).__name__
"""
    result = _confined(script, tmp_path)
    if not result["landlock"]:
        pytest.skip("this kernel has no Landlock")
    assert result == {
        "landlock": result["landlock"],
        "public": "allowed",
        "secret": "PermissionError",
        "elsewhere": "PermissionError",
        "write_readable": "PermissionError",
        "write_scratch": "allowed",
        "import_stdlib": "allowed",
    }


def test_network_namespace_blocks_localhost(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    script = f"""
import socket
result["network"] = confinement.isolate_network()
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2)
    result["connect"] = "allowed"
except OSError as exc:
    result["connect"] = type(exc).__name__
"""
    try:
        result = _confined(script, tmp_path)
    finally:
        server.close()
    if not result["network"]:
        pytest.skip("this kernel refuses new network namespaces")
    assert result["connect"] != "allowed"


def test_file_size_limit_and_dropped_capabilities(tmp_path):
    script = """
result["limits"] = confinement.set_resource_limits(None, 1 << 20)
try:
    with open("big.bin", "wb") as f:
        f.write(b"x" * (2 << 20))
    result["big_file"] = "allowed"
except OSError as exc:
    result["big_file"] = type(exc).__name__
result["privileges"] = confinement.drop_privileges()
result["caps"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
"""
    result = _confined(script, tmp_path)
    assert result["big_file"] == "OSError"
    if os.geteuid() == 0:
        assert result["privileges"] == "no capabilities" and int(result["caps"], 16) == 0
