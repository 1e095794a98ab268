"""Tests for losslab.site.mathjax: finding MathJax 3's tex-svg-full.js, or a clear error."""

import json

import pytest

from losslab.site import mathjax
from losslab.site.mathjax import MATHJAX_FILE, MathJaxMissing, find_mathjax, npm_cache_dir


def _fake_package(folder, version="3.2.2", size=1_200_000):
    script = folder / "node_modules" / "mathjax" / "es5" / MATHJAX_FILE
    script.parent.mkdir(parents=True)
    script.write_bytes(b"/* mathjax */" + b" " * size)
    (script.parent.parent / "package.json").write_text(json.dumps({"name": "mathjax", "version": version}))
    return script


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert npm_cache_dir() == tmp_path / "losslab" / "npm"


def test_override_and_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("LOSSLAB_MATHJAX", raising=False)
    cached = _fake_package(tmp_path / "cache" / "losslab" / "npm")
    assert find_mathjax(install=False) == cached
    vendored = _fake_package(tmp_path / "vendored")
    monkeypatch.setenv("LOSSLAB_MATHJAX", str(vendored))
    assert find_mathjax(install=False) == vendored


def test_wrong_version_or_file_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("LOSSLAB_MATHJAX", str(_fake_package(tmp_path / "v4", version="4.0.0")))
    with pytest.raises(MathJaxMissing, match="MathJax 4.0.0; the pages need MathJax 3"):
        find_mathjax()
    monkeypatch.setenv("LOSSLAB_MATHJAX", str(tmp_path / "nothing.js"))
    with pytest.raises(MathJaxMissing, match="missing or too small"):
        find_mathjax()


def test_without_npm_the_error_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("LOSSLAB_MATHJAX", raising=False)
    monkeypatch.setattr(mathjax.shutil, "which", lambda name: None)
    with pytest.raises(MathJaxMissing, match="npm is not installed.*apt-get install npm.*LOSSLAB_MATHJAX"):
        find_mathjax()


def test_site_command_reports_missing_mathjax(monkeypatch, tmp_path, capsys):
    from losslab.site.build import main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("LOSSLAB_MATHJAX", raising=False)
    monkeypatch.setattr(mathjax.shutil, "which", lambda name: None)
    assert main(["--out", str(tmp_path / "site")]) == 2
    assert "npm is not installed" in capsys.readouterr().err
