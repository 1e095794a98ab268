"""The `losslab` command dispatches to the package's modules."""

import subprocess
import sys

from losslab.cli import main


def test_help_lists_commands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("lab", "doctor", "generate"):
        assert command in out


def test_unknown_command(capsys):
    assert main(["fly"]) == 2
    assert "unknown command 'fly'" in capsys.readouterr().err


def test_generate_check_through_the_cli(capsys):
    assert main(["generate", "--check"]) == 0
    assert "match" in capsys.readouterr().out


def test_console_script_is_installed():
    done = subprocess.run(
        [sys.executable, "-m", "losslab.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "usage: losslab" in done.stdout
