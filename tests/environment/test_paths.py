"""The course checkout is found from the package, whatever the current directory."""


def test_repo_root_is_the_checkout(repo_root, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    from losslab.environment import paths

    assert paths.repo_root() == repo_root
    assert (paths.repo_root() / "notebooks").is_dir()
