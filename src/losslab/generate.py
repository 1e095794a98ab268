"""``python -m losslab.generate [--check]``: the generator's short, long-documented command.

Course tools and instructors' scripts call the exercise generator by this name; the
generator itself lives in :mod:`losslab.exercises.generate`. This module is a command
entry point like :mod:`losslab.cli` (the top layer), so it only hands over to ``losslab generate``.
"""

from __future__ import annotations

import sys

from losslab.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main(["generate", *sys.argv[1:]]))
