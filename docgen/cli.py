"""The `docgen` command: thin click commands over the workflow functions.

Every DocgenError becomes one line on stderr (plus one line per listed
problem) and its exit code; see the README's table of exit codes.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from docgen import __version__
from docgen.bundle import load_bundle, save_bundle
from docgen.errors import EXIT_INTERRUPTED, EXIT_PARTIAL, BundleError, DocgenError
from docgen.progress import status
from docgen.render import FORMATS, RenderRequest, default_stem, parse_formats
from docgen.render.context import DocumentOptions
from docgen.sources.aadconnect import import_aadconnect
from docgen.sources.exchange_certs import import_exchange_certs
from docgen.sources.powershell import to_datetime
from docgen.workflow import ImportFailed, bundle_with_section, run_demo, write_documents


class DocgenGroup(click.Group):
    """Turns docgen's own errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DocgenError as exc:
            _report(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("docgen: interrupted; no partial output was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # click's own flow (ctx.exit, --help of a subgroup, usage errors), not a bug
        except Exception as exc:  # a bug: say so in one line unless asked for details
            if os.environ.get("DOCGEN_DEBUG"):
                raise
            click.echo(f"docgen: internal error ({type(exc).__name__}: {exc}); "
                       "set DOCGEN_DEBUG=1 to see the traceback", err=True)
            ctx.exit(1)


def _report(exc: DocgenError) -> None:
    errors = exc.errors if isinstance(exc, ImportFailed) else [exc]
    for error in errors:
        click.echo(f"error: {error}", err=True)
    for problem in getattr(exc, "problems", []):
        click.echo(f"  {problem}", err=True)


def _example(*lines: str) -> str:
    # \b keeps click from re-wrapping the example lines.
    return "\b\nExample:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(cls=DocgenGroup, epilog=_example("docgen demo", "docgen render contoso.bundle.json -o out"))
@click.version_option(__version__, "--version", prog_name="docgen")
def cli() -> None:
    """As-built documentation for Microsoft mail and identity environments."""


@cli.command(epilog=_example("docgen demo -o docgen-demo"))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), default=Path("docgen-demo"),
              show_default=True, help="Folder to write the demo documents into.")
@click.option("--format", "formats", default="html,pdf", show_default=True,
              help=f"Comma-separated: {', '.join(FORMATS)}.")
def demo(out_dir: Path, formats: str) -> None:
    """Build the Contoso sample: bundle, HTML and PDF, with no network."""
    chosen = parse_formats(formats)
    with status("Building the Contoso demo"):
        result = run_demo(out_dir, chosen)
    for path in [result.bundle_path, *result.documents]:
        click.echo(f"wrote {path}")


@cli.group("import", cls=DocgenGroup, epilog=_example("docgen import exchange-certs export.json -o contoso.bundle.json"))
def import_group() -> None:
    """Read raw exports into a section of a bundle."""


def _import_options(*, organization: str, collected_at: str, strict: str):
    """The options every `docgen import` command shares; each says its own defaults."""
    options = (
        click.option("-o", "--output", "bundle_path", required=True,
                     type=click.Path(path_type=Path),
                     help="Bundle to create, or to update (this section is replaced)."),
        click.option("--organization", help=f"Organisation name (default: {organization})."),
        click.option("--collected-at", help=f"When the export was taken, ISO 8601 "
                     f"(default: {collected_at})."),
        click.option("--strict", is_flag=True, help=strict),
    )

    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command
    return apply


@import_group.command("exchange-certs", epilog=_example(
    "docgen import exchange-certs exchange-certs.json -o contoso.bundle.json",
    "docgen import exchange-certs servers.ldf adobjects.json -o contoso.bundle.json"))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_import_options(organization="from the export or its AD domain",
                 collected_at="from the export, else now",
                 strict="Write nothing if any record has an error.")
def import_exchange_certs_command(files: tuple[Path, ...], bundle_path: Path,
                                  organization: str | None, collected_at: str | None,
                                  strict: bool) -> None:
    """Exchange default SMTP certificates (msExchServerInternalTLSCert).

    FILES are the JSON of collectors/Export-ExchangeCertificates.ps1,
    `Get-ADObject ... | ConvertTo-Json` output, or `ldifde` LDIF files, in any mix.
    """
    moment = _collected_at(collected_at)
    result = import_exchange_certs(list(files), moment)
    _finish_import(bundle_path, result, organization, strict)


@import_group.command("aadconnect", epilog=_example(
    "docgen import aadconnect .\\ServerConfiguration -o contoso.bundle.json",
    "docgen import aadconnect aadconnect.json -o contoso.bundle.json"))
@click.argument("export", type=click.Path(path_type=Path))
@_import_options(organization="the first AD connector's forest",
                 collected_at="the collector's CollectedAt, else the export-date in "
                              "GlobalSettings/MV.xml, else now",
                 strict="Write nothing if any file or rule has an error.")
def import_aadconnect_command(export: Path, bundle_path: Path, organization: str | None,
                              collected_at: str | None, strict: bool) -> None:
    """Azure AD Connect (Entra Connect Sync): setup choices, filters, connectors, sync rules.

    EXPORT is the folder `Get-ADSyncServerConfiguration -Path <dir>` wrote, or the
    JSON of collectors/Export-AADConnectConfig.ps1 (which names that folder beside it).
    """
    moment = _collected_at(collected_at)
    result = import_aadconnect(export, moment)
    _finish_import(bundle_path, result, organization, strict)


def _collected_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return to_datetime(text, "--collected-at", "")
    except DocgenError:
        raise click.BadParameter(f"not an ISO 8601 date: {text!r}", param_hint="--collected-at")


def _finish_import(bundle_path: Path, result, organization: str | None, strict: bool) -> None:
    if strict and result.errors:
        raise ImportFailed(result.errors)
    bundle = bundle_with_section(bundle_path, result, organization)
    save_bundle(bundle_path, bundle)
    section = bundle["sections"][result.section]
    click.echo(f"wrote {bundle_path}: {result.section} with {len(section['items'])} item(s), "
               f"status {section['status']}")
    if result.errors:
        for error in result.errors:
            click.echo(f"warning: {error}", err=True)
        click.get_current_context().exit(EXIT_PARTIAL)


@cli.command(epilog=_example("docgen render contoso.bundle.json -o out --format html,pdf"))
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for the documents (created if missing).")
@click.option("--format", "formats", default="html,pdf", show_default=True,
              help=f"Comma-separated: {', '.join(FORMATS)}.")
@click.option("--author", default="", help="Author shown on the cover and in PDF metadata.")
@click.option("--title", default=None, help="Document title (default: 'As-built documentation: <org>').")
@click.option("--classification", default="", help="Label printed on the cover and page headers.")
@click.option("--name", "stem", default=None,
              help="File name without extension (default: the bundle's name without .bundle.json).")
@click.option("--full-sync-rules", "full_rules", is_flag=True,
              help="Print Microsoft's default Azure AD Connect sync rules in full in the PDF "
              "(default: listed by name; the HTML always has them, collapsed).")
def render(bundle_path: Path, out_dir: Path, formats: str, author: str, title: str | None,
           classification: str, stem: str | None, full_rules: bool) -> None:
    """Write documents (HTML, PDF/A-3b) from a bundle."""
    chosen = parse_formats(formats)
    loaded = load_bundle(bundle_path)
    request = RenderRequest(formats=chosen, stem=stem or default_stem(bundle_path),
                            options=DocumentOptions(title=title, author=author,
                                                    classification=classification,
                                                    full_rules=full_rules))
    with status(f"Rendering {', '.join(chosen)}"):
        written = write_documents(loaded, out_dir, request)
    for path in written:
        click.echo(f"wrote {path}")


@cli.command(epilog=_example("docgen validate contoso.bundle.json"))
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(path_type=Path))
def validate(bundle_path: Path) -> None:
    """Check a bundle against the schema: every error with its key path, or 'valid'."""
    try:
        load_bundle(bundle_path)
    except BundleError as exc:
        if not exc.problems:
            raise
        for problem in exc.problems:
            click.echo(problem)
        raise BundleError(f"{len(exc.problems)} schema error(s)", source=str(bundle_path)) from None
    click.echo("valid")


def main() -> None:
    cli(prog_name="docgen")

