"""Progress without a terminal: one line per stage of a long command, on stderr."""

from __future__ import annotations

from docgen.app.progress import LOG_EVERY, Stages, progress_bar


def test_demo_prints_each_stage_on_stderr_without_a_terminal(run_cli, tmp_path):
    result = run_cli("demo", "-o", tmp_path, "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "docgen demo: importing 6 sample exports",
        "docgen demo: looking up DNS in the sample zones",
        "docgen demo: rendering html",
        "docgen demo: writing contoso.bundle.json and its documents"]
    assert "docgen demo:" not in result.stdout


def test_build_prints_each_stage_on_stderr_without_a_terminal(run_cli, tmp_path):
    from conftest import EXCHANGE_SAMPLES

    result = run_cli("build", "--project", make_project(run_cli, tmp_path, EXCHANGE_SAMPLES))
    assert result.exit_code == 0, result.stderr
    stages = [line for line in result.stderr.splitlines() if line.startswith("docgen build: ")]
    assert stages[0] == "docgen build: importing raw/ (1 input(s) for 1 section(s))"
    assert stages[-2:] == ["docgen build: rendering html",
                           "docgen build: writing contoso.bundle.json and its documents"]


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


def test_on_a_terminal_build_shows_its_stages_live(run_cli, tmp_path):
    """`docgen build` with stderr on a pseudo-terminal: the spinner names each stage."""
    import os
    import subprocess
    import sys

    import pytest

    pty = pytest.importorskip("pty")   # POSIX only

    from conftest import EXCHANGE_SAMPLES, REPO

    project = make_project(run_cli, tmp_path, EXCHANGE_SAMPLES)
    leader, follower = pty.openpty()
    environment = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120", "TERM": "xterm"}
    process = subprocess.Popen([sys.executable, "-m", "docgen", "build", "--project", str(project)],
                               stdout=subprocess.PIPE, stderr=follower, env=environment)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:   # the pty closed: the build has ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0
    text = shown.decode(errors="replace")
    # the spinner is redrawn a dozen times a second: a stage shorter than that may not be
    # drawn, the render is
    assert "docgen build: rendering html" in text
    assert "\x1b[2K" in text            # redrawn in place (rich's control codes)
    assert "docgen build: importing raw/ (1 input(s) for 1 section(s))\n" not in text  # no log lines


def make_project(run_cli, tmp_path, samples):
    assert run_cli("init", tmp_path / "p", "--organization", "Contoso").exit_code == 0
    (tmp_path / "p" / "raw" / "certs.json").write_bytes((samples / "contoso-exchange-certs.json").read_bytes())
    toml = tmp_path / "p" / "docgen.toml"
    toml.write_text(toml.read_text().replace('formats = ["html", "pdf"]', 'formats = ["html"]'))
    return tmp_path / "p"
