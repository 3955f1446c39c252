"""Progress without a terminal: one line per stage of a long command, on stderr."""

from __future__ import annotations

from docgen.app.progress import LOG_EVERY, Stages, progress_bar


def test_demo_prints_each_stage_on_stderr_without_a_terminal(run_cli, tmp_path):
    result = run_cli("demo", "-o", tmp_path, "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "docgen demo: importing 6 sample exports",
        "docgen demo: looking up DNS in the sample zones",
        "docgen demo: writing contoso.bundle.json",
        "docgen demo: rendering html"]
    assert "docgen demo:" not in result.stdout


def test_build_prints_each_stage_on_stderr_without_a_terminal(run_cli, tmp_path):
    from conftest import EXCHANGE_SAMPLES

    assert run_cli("init", tmp_path / "p", "--organization", "Contoso").exit_code == 0
    (tmp_path / "p" / "raw" / "certs.json").write_bytes((EXCHANGE_SAMPLES / "contoso-exchange-certs.json").read_bytes())
    (tmp_path / "p" / "docgen.toml").write_text(
        (tmp_path / "p" / "docgen.toml").read_text().replace('formats = ["html", "pdf"]', 'formats = ["html"]'))
    result = run_cli("build", "--project", tmp_path / "p")
    assert result.exit_code == 0, result.stderr
    stages = [line for line in result.stderr.splitlines() if line.startswith("docgen build: ")]
    assert stages[0] == "docgen build: importing raw/ (1 input(s) for 1 section(s))"
    assert stages[-2:] == ["docgen build: writing contoso.bundle.json", "docgen build: rendering html"]


def test_a_counted_stage_prints_a_line_every_hundred_steps(capsys):
    lines: list[str] = []
    advance = Stages(lines.append).count("DNS domains", 250)
    for _ in range(250):
        advance()
    assert lines == ["DNS domains: 100/250", "DNS domains: 200/250", "DNS domains: 250/250"]
    with progress_bar("Looking up domains", LOG_EVERY + 1) as step:
        for _ in range(LOG_EVERY + 1):
            step()
    assert capsys.readouterr().err.splitlines() == ["Looking up domains: 100/101", "Looking up domains: 101/101"]


def test_on_a_terminal_the_stages_are_the_spinner_text_not_lines(monkeypatch, capsys):
    from docgen.app import progress

    shown: list[str] = []

    class Spinner:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def update(self, text: str) -> None:
            shown.append(text)

    class Console:
        def __init__(self, **kwargs):
            assert kwargs == {"stderr": True}

        def status(self, text: str) -> Spinner:
            shown.append(text)
            return Spinner()

    monkeypatch.setattr(progress, "_on_terminal", lambda: True)
    monkeypatch.setattr("rich.console.Console", Console)
    with progress.stages("docgen build") as stages:
        stages.announce("importing raw/")
        advance = stages.count("DNS domains", 3)
        for _ in range(3):
            advance()
    assert shown == ["docgen build", "docgen build: importing raw/", "docgen build: DNS domains: 1/3",
                     "docgen build: DNS domains: 2/3", "docgen build: DNS domains: 3/3"]
    assert capsys.readouterr().err == ""
