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
from docgen.dns_workflow import DnsRequest, prepare_dns, run_dns
from docgen.errors import EXIT_INTERRUPTED, EXIT_PARTIAL, BundleError, DocgenError
from docgen.progress import progress_bar, status
from docgen.render import FORMATS, RenderRequest, default_stem, parse_formats
from docgen.render.context import DocumentOptions
from docgen.sources.dns import ResolverSettings, parse_nameserver
from docgen.sources.dns_collect import collector_paused
from docgen.sources.domains import normalize_domain
from docgen.sources.exchange_certs import import_exchange_certs
from docgen.sources.mailauth import MailAuthOptions
from docgen.sources.powershell import to_datetime
from docgen.workflow import (ImportFailed, bundle_with_section, bundle_with_sections, run_demo,
                             write_documents)

# At most this many "could not verify" lines; the bundle lists every one.
MAX_WARNING_LINES = 20


class DocgenGroup(click.Group):
    """Turns docgen's own errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own: usage errors and exits (also from a nested group) are not bugs
        except DocgenError as exc:
            _report(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("docgen: interrupted; no partial output was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)
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


@import_group.command("exchange-certs", epilog=_example(
    "docgen import exchange-certs exchange-certs.json -o contoso.bundle.json",
    "docgen import exchange-certs servers.ldf adobjects.json -o contoso.bundle.json"))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "bundle_path", required=True, type=click.Path(path_type=Path),
              help="Bundle to create, or to update (this section is replaced).")
@click.option("--organization", help="Organisation name (default: from the export or its AD domain).")
@click.option("--collected-at", help="When the export was taken, ISO 8601 (default: from the "
              "export, else now).")
@click.option("--strict", is_flag=True, help="Write nothing if any record has an error.")
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


@cli.group("collect", cls=DocgenGroup, epilog=_example(
    "docgen collect dns --dkim-config dkim.json -o contoso.bundle.json"))
def collect_group() -> None:
    """Look facts up live (DNS) into sections of a bundle."""


def _nameservers(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    try:
        return tuple(parse_nameserver(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _domains(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    normalised = []
    for value in values:
        try:
            normalised.append(normalize_domain(value))
        except ValueError as exc:
            raise click.BadParameter(f"{value!r}: {exc}") from None
    return tuple(normalised)


@collect_group.command("dns", epilog=_example(
    "docgen collect dns --dkim-config dkim.json -o contoso.bundle.json",
    "docgen collect dns --domain contoso.com --nameserver 192.0.2.53 -o contoso.bundle.json",
    "docgen collect dns --domains-file domains.txt --zone-file contoso.com.zone "
    "-o plan.bundle.json"))
@click.option("--dkim-config", type=click.Path(path_type=Path),
              help="Export-DkimSigningConfig.ps1 JSON, or Get-DkimSigningConfig | ConvertTo-Json.")
@click.option("--domain", "domains", multiple=True, callback=_domains,
              help="A domain to look up (repeatable).")
@click.option("--domains-file", type=click.Path(path_type=Path),
              help="A text file with one domain a line (# starts a comment).")
@click.option("-o", "--output", "bundle_path", required=True, type=click.Path(path_type=Path),
              help="Bundle to create, or to update (the dkim and mail_auth sections are replaced).")
@click.option("--nameserver", "nameservers", multiple=True, callback=_nameservers,
              metavar="HOST[:PORT]", help="Nameserver to ask (repeatable: the next is asked when "
              "one fails). Default: this machine's resolvers.")
@click.option("--zone-file", "zone_files", multiple=True, type=click.Path(path_type=Path),
              help="Answer from this zone file instead of the network (repeatable), to document "
              "a zone before it is published.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=2.0,
              show_default=True, help="Seconds to wait for each answer.")
@click.option("--retries", type=click.IntRange(min=0), default=1, show_default=True,
              help="Extra rounds over the nameservers when a query fails.")
@click.option("--concurrency", type=click.IntRange(min=1), default=32, show_default=True,
              help="Domains looked up at once.")
@click.option("--deadline", type=click.FloatRange(min=0, min_open=True), default=120.0,
              show_default=True, help="Seconds for the whole run; lookups not made by then are "
              "recorded as not attempted.")
@click.option("--mta-sts-policy", is_flag=True,
              help="Also fetch each MTA-STS policy over HTTPS (the only HTTP docgen makes).")
@click.option("--organization", help="Organisation name (default: from the export).")
def collect_dns_command(dkim_config: Path | None, domains: tuple[str, ...],
                        domains_file: Path | None, bundle_path: Path,
                        nameservers: tuple, zone_files: tuple[Path, ...], timeout: float,
                        retries: int, concurrency: int, deadline: float, mta_sts_policy: bool,
                        organization: str | None) -> None:
    """DKIM signing (active selector verified) and DMARC, SPF, MX, MTA-STS, TLS-RPT, BIMI.

    Domains come from the DKIM export (its signing configurations and accepted
    domains), --domain and --domains-file, together.
    """
    if nameservers and zone_files:
        raise click.UsageError("give --nameserver or --zone-file, not both")
    request = DnsRequest(
        dkim_config=dkim_config, domains=domains, domains_file=domains_file,
        nameservers=nameservers, zone_files=zone_files,
        settings=ResolverSettings(timeout=timeout, retries=retries, concurrency=concurrency,
                                  deadline=deadline),
        options=MailAuthOptions(fetch_mta_sts_policy=mta_sts_policy))
    prepared = prepare_dns(request)
    # The collector stays paused until the bundle is written: re-enabled at once, it
    # would first rescan every answer of the run only to find nothing to free.
    with collector_paused():
        with progress_bar("Looking up domains", len(prepared.domains)) as advance:
            collection = run_dns(prepared, advance)
        results = [result for result in (collection.dkim, collection.mail_auth) if result]
        bundle = bundle_with_sections(bundle_path, results, organization)
        save_bundle(bundle_path, bundle)
    summary = "; ".join(f"{result.section} with {len(result.items)} domain(s), status "
                        f"{bundle['sections'][result.section]['status']}" for result in results)
    click.echo(f"wrote {bundle_path}: {summary} ({collection.queries_sent} queries)")
    _warn_partial([error for result in results for error in result.errors])


def _warn_partial(errors: list[DocgenError]) -> None:
    """One line per problem (at most MAX_WARNING_LINES), then exit 4 if there were any."""
    if not errors:
        return
    for error in errors[:MAX_WARNING_LINES]:
        click.echo(f"warning: {error}", err=True)
    if len(errors) > MAX_WARNING_LINES:
        click.echo(f"warning: and {len(errors) - MAX_WARNING_LINES} more; the bundle lists "
                   "every one", err=True)
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
def render(bundle_path: Path, out_dir: Path, formats: str, author: str, title: str | None,
           classification: str, stem: str | None) -> None:
    """Write documents (HTML, PDF/A-3b) from a bundle."""
    chosen = parse_formats(formats)
    loaded = load_bundle(bundle_path)
    request = RenderRequest(formats=chosen, stem=stem or default_stem(bundle_path),
                            options=DocumentOptions(title=title, author=author,
                                                    classification=classification))
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

