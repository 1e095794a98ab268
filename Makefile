# Shortcuts for people who like make; course.py is the real entry point (no make needed).
PY := .venv/bin/python

.PHONY: lab test doctor exercises check-exercises lint

lab:
	python3 course.py lab

test:
	python3 course.py test

doctor:
	python3 course.py doctor

exercises:
	$(PY) -m losslab.generate

check-exercises:
	$(PY) -m losslab.generate --check

lint:
	$(PY) -m ruff check . && $(PY) -m ruff format --check src tests course.py conftest.py
