"""Hostile XML in an export: refused clearly, nothing fetched or read, memory bounded."""

from __future__ import annotations

import contextlib
import http.server
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.cli import cli
from docgen.core.errors import InputError
from docgen.readers.xml import XmlReader, parse_xml
from support.aadconnect import MV_FILE, USER_JOIN_ID, copy_corpus, rule_file

SECRET = "TOP-SECRET-4f1c9e"
REFUSAL = ("refused: the document declares a DOCTYPE (DTDs and entities are never read from "
           "an export)")


def _xxe(system_id: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE saved-mv-configuration [\n'
            f'  <!ENTITY leak SYSTEM "{system_id}">\n]>\n'
            f'<saved-mv-configuration server="CONTOSO-SYNC01"><mv-data><parameter-values>'
            f'<parameter name="Microsoft.Synchronize.ServerConfigurationVersion">&leak;</parameter>'
            f'</parameter-values></mv-data></saved-mv-configuration>').encode()


def _billion_laughs(levels: int = 10) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, levels)]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n{chr(10).join(entities)}\n]>\n'
            f'<lolz a="&lol{levels - 1};">&lol{levels - 1};</lolz>').encode()


@contextlib.contextmanager
def _fifo_watch(path: Path):
    """A named pipe that reports whether anyone opened it for reading.

    Opening a FIFO for writing with O_NONBLOCK fails (ENXIO) until a reader has it
    open; the watcher polls that, so a parser that followed the entity would be seen
    (and fed, so it does not hang).
    """
    os.mkfifo(path)
    opened = threading.Event()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.002)
                continue
            opened.set()
            try:
                os.write(descriptor, SECRET.encode())
            except OSError:  # the reader went away first (EPIPE)
                pass
            finally:
                os.close(descriptor)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield opened
    finally:
        stop.set()
        thread.join(timeout=5)


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.requests.append(self.path)
        body = f'<!ENTITY leak "{SECRET}">'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    _RecordingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _RecordingHandler.requests
    finally:
        server.shutdown()
        server.server_close()


def _import(folder: Path, bundle: Path):
    return CliRunner().invoke(cli, ["import", "aadconnect", str(folder), "-o", str(bundle)])


def test_file_entity_in_mv_xml_is_refused_and_nothing_written(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    folder = copy_corpus(tmp_path)
    (folder / MV_FILE).write_bytes(_xxe(secret.as_uri()))
    bundle = tmp_path / "out.bundle.json"
    result = _import(folder, bundle)
    assert result.exit_code == 1
    assert result.stderr == f"error: {MV_FILE}: DOCTYPE: {REFUSAL}\n"
    assert not bundle.exists()
    assert SECRET not in result.output


def test_file_entity_is_never_opened(tmp_path):
    pipe = tmp_path / "secret.fifo"
    with _fifo_watch(pipe) as opened:
        with pytest.raises(InputError) as raised:
            parse_xml(_xxe(pipe.as_uri()), MV_FILE)
        time.sleep(0.05)  # give the watcher a chance to notice a late open
    assert raised.value.message == REFUSAL
    assert not opened.is_set()


def test_the_fifo_watch_sees_a_parser_that_follows_entities(tmp_path):
    """The control for the test above: an unhardened parser does open the file."""
    from lxml import etree
    pipe = tmp_path / "secret.fifo"
    with _fifo_watch(pipe) as opened:
        root = etree.fromstring(_xxe(pipe.as_uri()), etree.XMLParser(resolve_entities=True))
    assert opened.is_set()
    assert SECRET in etree.tostring(root).decode()


def test_file_entity_in_a_rule_is_refused_and_kept_out_of_the_bundle(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    folder = copy_corpus(tmp_path)
    original = (folder / rule_file(USER_JOIN_ID)).read_text("utf-8")
    (folder / rule_file(USER_JOIN_ID)).write_text(
        f'<!DOCTYPE synchronizationRule [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n'
        + original.replace("<name>In from AD - User Join</name>", "<name>&leak;</name>"), "utf-8")
    bundle = tmp_path / "out.bundle.json"
    result = _import(folder, bundle)
    assert result.exit_code == 4  # written, partial
    assert f"warning: {rule_file(USER_JOIN_ID)}: DOCTYPE: {REFUSAL}\n" in result.stderr
    raw = bundle.read_bytes()
    assert SECRET.encode() not in raw
    assert b"In from AD - User Join" not in raw  # the refused rule is not half-read


def test_http_entity_and_external_dtd_are_never_fetched(tmp_path, http_server):
    base, requests = http_server
    documents = [
        _xxe(f"{base}/entity"),
        f'<!DOCTYPE saved-mv-configuration SYSTEM "{base}/external.dtd"><saved-mv-configuration/>'.encode(),
        (f'<!DOCTYPE r [<!ENTITY % remote SYSTEM "{base}/parameter"> %remote;]>'
         f'<r>&leak;</r>').encode(),
    ]
    for document in documents:
        with pytest.raises(InputError) as raised:
            parse_xml(document, MV_FILE)
        assert raised.value.message == REFUSAL
    time.sleep(0.05)
    assert requests == []


def test_internal_entities_in_attributes_are_refused(tmp_path):
    # libxml2 expands these even with resolve_entities=False: only refusing the DOCTYPE helps.
    with pytest.raises(InputError) as raised:
        parse_xml(b'<!DOCTYPE r [<!ENTITY e "expanded">]><r a="&e;"/>', "x.xml")
    assert raised.value.message == REFUSAL


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_is_refused_quickly_in_bounded_memory(tmp_path, encoding):
    """In a child process capped at 512 MB of address space: a blow-up would die there."""
    document = tmp_path / "lolz.xml"
    document.write_bytes(_billion_laughs().decode().encode(encoding))
    script = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (512 * 1024 * 1024, 512 * 1024 * 1024))
        from pathlib import Path
        from docgen.core.errors import InputError
        from docgen.readers.xml import XmlReader, parse_xml
        try:
            parse_xml(Path({str(document)!r}).read_bytes(), "lolz.xml")
        except InputError as exc:
            print(exc)
            sys.exit(0)
        sys.exit("parsed without refusal")
    """)
    started = time.monotonic()
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           timeout=60)
    assert child.returncode == 0, child.stderr
    assert child.stdout == f"lolz.xml: DOCTYPE: {REFUSAL}\n"
    assert time.monotonic() - started < 20


def test_billion_laughs_through_the_cli(tmp_path):
    folder = copy_corpus(tmp_path)
    (folder / MV_FILE).write_bytes(_billion_laughs())
    bundle = tmp_path / "out.bundle.json"
    result = _import(folder, bundle)
    assert (result.exit_code, result.stderr) == (1, f"error: {MV_FILE}: DOCTYPE: {REFUSAL}\n")
    assert not bundle.exists()


@pytest.mark.parametrize("data, message, where", [
    (b"", "the file is empty", None),
    (b"   \n", "the file is empty", None),
    (b"<a><b></a>", "not well-formed XML (Opening and ending tag mismatch: b line 1 and a)",
     "line 1"),
    (b"\n\n<a>&undeclared;</a>", "not well-formed XML (Entity 'undeclared' not defined)",
     "line 3"),
    (b"\x00\x01garbage", "not well-formed XML (Start tag expected, '<' not found)", "line 1"),
])
def test_not_xml_is_one_clear_line(data, message, where):
    with pytest.raises(InputError) as raised:
        parse_xml(data, "Connectors/x.xml")
    assert (raised.value.message, raised.value.where) == (message, where)
    assert "\n" not in str(raised.value)


def test_one_reader_goes_on_after_a_refusal_or_a_broken_file():
    """The import reuses one reader for every file: a bad file must not taint the next."""
    reader = XmlReader()
    outcomes = []
    for data in (_billion_laughs(), b"<a/>", b"garbage", b"<b><c/></b>", _xxe("file:///etc/passwd"),
                 "<d/>".encode("utf-16"), b"<e>", b"<f/>"):
        try:
            outcomes.append(reader.parse(data, "x.xml").tag)
        except InputError as exc:
            outcomes.append(exc.message.split(" (")[0])
    assert outcomes == ["refused: the document declares a DOCTYPE", "a", "not well-formed XML",
                        "b", "refused: the document declares a DOCTYPE", "d",
                        "not well-formed XML", "f"]
