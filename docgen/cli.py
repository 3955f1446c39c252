"""The `docgen` command: thin click commands over the workflow functions.

Every DocgenError becomes one line on stderr (plus one line per listed
problem) and its exit code; see the README's table of exit codes.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from docgen import __version__
from docgen.areas import AREAS, Area
from docgen.areas.area import ImportCommand
from docgen.core.errors import (
    EXIT_CHANGED,
    EXIT_INTERRUPTED,
    EXIT_PARTIAL,
    EXIT_USAGE,
    BundleError,
    DocgenError,
    ImportFailed,
    UsageProblem,
)
from docgen.render.formats import DIFF_FORMATS, FORMATS

# Each command imports what it uses when it runs: `docgen --help` and `--version` load
# neither the PDF engine, pandas, checkdmarc nor jsonschema (tests/test_startup.py).

# At most this many "could not verify" lines; the bundle lists every one.
MAX_WARNING_LINES = 20


class DocgenGroup(click.Group):
    """Turns docgen's own errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UsageProblem as exc:
            raise click.UsageError(str(exc)) from None
        except DocgenError as exc:
            _report(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("docgen: interrupted; no partial output was written", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except MemoryError:
            # Past the size limits (README: "Limits and hostile input") on a small machine.
            click.echo("docgen: out of memory; nothing was written (the input is too large "
                       "for this machine's memory, see the README's limits)", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # click's own ways of ending: exit codes and usage errors
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
    for problem in exc.problems:
        click.echo(f"  {problem}", err=True)


class _WrongKindOfPath(DocgenError):
    """-o names a file where a folder is wanted, or a folder where a file is: one line, exit 2."""

    exit_code = EXIT_USAGE


class _OutputPath(click.Path):
    """An output path whose wrong kind (an existing file for a folder, a folder for a bundle
    file) is one `error:` line with exit 2, not click's usage block."""

    def __init__(self, folder: bool) -> None:
        super().__init__(path_type=Path)
        self.folder = folder

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        assert isinstance(path, Path)   # path_type=Path
        if self.folder and path.is_file():
            raise _WrongKindOfPath(f"-o {path}: is a file; give a folder")
        if not self.folder and path.is_dir():
            raise _WrongKindOfPath(f"-o {path}: is a folder; give the bundle file's name")
        return path


# An output folder, and a bundle to write.
_OUTPUT_FOLDER = _OutputPath(folder=True)
_BUNDLE_FILE = _OutputPath(folder=False)

_strict_option = click.option(
    "--strict", is_flag=True,
    help="Fail (exit 1, nothing written) when an accepted risk in docgen.toml names no finding "
    "of the bundle, instead of warning.")


def _example(*lines: str) -> str:
    # \b keeps click from re-wrapping the example lines.
    return "\b\nExample:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(cls=DocgenGroup, epilog=_example("docgen demo", "docgen render contoso.bundle.json -o out"))
@click.version_option(__version__, "--version", prog_name="docgen")
def cli() -> None:
    """As-built documentation for Microsoft mail and identity environments."""


@cli.command(epilog=_example("docgen demo -o docgen-demo"))
@click.option("-o", "--output", "out_dir", type=_OUTPUT_FOLDER, default=Path("docgen-demo"),
              show_default=True, help="Folder to write the demo documents into.")
@click.option("--format", "formats", default="html,pdf", show_default=True,
              help=f"Comma-separated: {', '.join(FORMATS)}.")
def demo(out_dir: Path, formats: str) -> None:
    """Build the Contoso sample: bundle, HTML and PDF, with no network."""
    from docgen.app.demo import run_demo
    from docgen.app.progress import stages
    from docgen.render.formats import parse_formats

    chosen = parse_formats(formats)
    with stages("docgen demo") as progress:
        result = run_demo(out_dir, chosen, progress)
    for path in [result.bundle_path, *result.documents]:
        click.echo(f"wrote {path}")


@cli.group("import", epilog=_example("docgen import exchange-certs export.json -o contoso.bundle.json"))
def import_group() -> None:
    """Read raw exports into a section of a bundle."""


def _import_command(area: Area, spec: ImportCommand) -> click.Command:
    """`docgen import <name>` for an area, from what its registry entry declares."""
    def run(inputs, bundle_path: Path, organization: str | None, collected_at: str | None,
            strict: bool, **options: str | None) -> None:
        paths = list(inputs) if spec.many else [inputs]
        _import(area.name, paths, bundle_path, organization, collected_at, strict,
                {name: value for name, value in options.items() if value is not None})

    params: list[click.Parameter] = [
        click.Argument(["inputs"], nargs=-1 if spec.many else 1, required=True,
                       metavar="FILES..." if spec.many else "EXPORT", type=click.Path(path_type=Path)),
        click.Option(["-o", "--output", "bundle_path"], required=True, type=_BUNDLE_FILE,
                     help="Bundle to create, or to update (this section is replaced)."),
        click.Option(["--organization"], help=f"Organisation name (default: {spec.organization_default})."),
        click.Option(["--collected-at"], help=f"When the export was taken, ISO 8601 "
                     f"(default: {spec.collected_at_default})."),
        click.Option(["--strict"], is_flag=True, help=spec.strict_help),
        *(click.Option([f"--{name}"], help=help) for name, help in spec.options),
    ]
    return click.Command(spec.name, callback=run, params=params, help=spec.help,
                         epilog=_example(*spec.examples))


for _area in AREAS:
    if _area.import_command is not None:
        import_group.add_command(_import_command(_area, _area.import_command))


def _import(area: str, paths: list[Path], bundle_path: Path, organization: str | None,
            collected_at: str | None, strict: bool, options: dict[str, str]) -> None:
    from docgen.app.imports import import_into_bundle, parse_collected_at

    try:
        moment = parse_collected_at(collected_at)
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date: {collected_at!r}",
                                 param_hint="--collected-at") from None
    outcome = import_into_bundle(area, paths, bundle_path, collected_at=moment,
                                 organization=organization, strict=strict, options=options)
    click.echo(f"wrote {bundle_path}: {outcome.section} with {outcome.items} item(s), "
               f"status {outcome.status}")
    if outcome.errors:
        for error in outcome.errors:
            click.echo(f"warning: {error}", err=True)
        click.get_current_context().exit(EXIT_PARTIAL)


@cli.group("collect", epilog=_example(
    "docgen collect dns --dkim-config dkim.json -o contoso.bundle.json"))
def collect_group() -> None:
    """Look facts up live (DNS) into sections of a bundle."""


def _nameservers(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    from docgen.dns.client import parse_nameserver

    try:
        return tuple(parse_nameserver(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _domains(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]):
    from docgen.dns.domains import normalize_domain

    normalised = []
    for value in values:
        try:
            normalised.append(normalize_domain(value))
        except ValueError as exc:
            raise click.BadParameter(f"{value!r}: {exc}") from None
    return tuple(normalised)


def _resolver_option(name: str):
    """--timeout, --retries, ...: default, range and help are ResolverSettings', as for
    docgen.toml's [dns]."""
    from docgen.dns.settings import ResolverSettings  # light: no dnspython

    item = {item.name: item for item in dataclasses.fields(ResolverSettings)}[name]
    minimum, above, words = item.metadata["minimum"], item.metadata["above"], item.metadata["help"]
    kind = (click.FloatRange(min=minimum, min_open=above) if isinstance(item.default, float)
            else click.IntRange(min=minimum, min_open=above))
    return click.option(f"--{name}", type=kind, default=item.default, show_default=True,
                        help=f"{words[:1].upper()}{words[1:]}.")


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
@click.option("-o", "--output", "bundle_path", required=True, type=_BUNDLE_FILE,
              help="Bundle to create, or to update (the dkim and mail_auth sections are replaced).")
@click.option("--nameserver", "nameservers", multiple=True, callback=_nameservers,
              metavar="HOST[:PORT]", help="Nameserver to ask (repeatable: the next is asked when "
              "one fails). Default: this machine's resolvers.")
@click.option("--zone-file", "zone_files", multiple=True, type=click.Path(path_type=Path),
              help="Answer from this zone file instead of the network (repeatable), to document "
              "a zone before it is published.")
@_resolver_option("timeout")
@_resolver_option("retries")
@_resolver_option("concurrency")
@_resolver_option("deadline")
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
    from docgen.app.collect_dns import DnsRequest, collect_into_bundle, prepare_dns
    from docgen.app.progress import progress_bar
    from docgen.dns.client import ResolverSettings

    request = DnsRequest(
        dkim_config=dkim_config, domains=domains, domains_file=domains_file,
        nameservers=nameservers, zone_files=zone_files,
        settings=ResolverSettings(timeout=timeout, retries=retries, concurrency=concurrency,
                                  deadline=deadline),
        fetch_mta_sts_policy=mta_sts_policy)
    prepared = prepare_dns(request)
    with progress_bar("Looking up domains", len(prepared.domains)) as advance:
        outcome = collect_into_bundle(prepared, bundle_path, organization, advance)
    summary = "; ".join(f"{name} with {domains} domain(s), status {status}"
                        for name, domains, status in outcome.sections)
    click.echo(f"wrote {bundle_path}: {summary} ({outcome.queries_sent} queries "
               f"{outcome.resolver})")
    _warn_partial(outcome.errors)


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


def _sign_options(command):
    command = click.option("--sign-key", type=click.Path(path_type=Path), default=None, metavar="FILE",
                           help="The PKCS#12 key to sign with (implies --sign; default: [signing] "
                           "pkcs12 in docgen.toml). Passphrase: $DOCGEN_SIGN_PASSPHRASE (or the "
                           "variable [signing] passphrase_env names), else asked on a terminal.")(command)
    return click.option("--sign", is_flag=True,
                        help="Sign the PDF (PAdES, with pyHanko; it stays PDF/A-3b): the key of "
                        "--sign-key or docgen.toml's [signing].")(command)


_jobs_option = click.option(
    "--jobs", type=click.IntRange(min=1), default=None,
    help="Processes that render a long PDF in parts (default: one per CPU; 1: the parts one "
    "after another in this process). The PDF is the same whatever the number.")


@cli.command(epilog=_example("docgen render contoso.bundle.json -o out --format html,pdf"))
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=_OUTPUT_FOLDER,
              help="Folder for the documents (created if missing).")
@click.option("--format", "formats", default="html,pdf", show_default=True,
              help=f"Comma-separated: {', '.join(FORMATS)}.")
@click.option("--author", default=None, help="Author shown on the cover and in PDF and DOCX metadata.")
@click.option("--title", default=None, help="Document title (default: 'As-built documentation: <org>').")
@click.option("--classification", default=None, help="Label printed on the cover and page headers.")
@click.option("--name", "stem", default=None,
              help="File name without extension (default: the bundle's name without .bundle.json).")
@click.option("--full-sync-rules", "full_rules", is_flag=True, default=None,
              help="Print Microsoft's default Azure AD Connect sync rules in full in the PDF "
              "(default: listed by name; the HTML always has them, collapsed).")
@click.option("--no-project", is_flag=True,
              help="Ignore the docgen.toml of the folder you are in (branding, notes, detail levels).")
@click.option("--settings", "settings_path", type=click.Path(path_type=Path), default=None,
              help="Render with the options a PDF recorded (its docgen-render.json attachment, see "
              "'docgen verify --extract') instead of docgen.toml's: the same pages again.")
@_sign_options
@_strict_option
@_jobs_option
def render(bundle_path: Path, out_dir: Path, formats: str, author: str | None, title: str | None,
           classification: str | None, stem: str | None, full_rules: bool | None,
           no_project: bool, settings_path: Path | None, sign: bool, sign_key: Path | None,
           strict: bool, jobs: int | None) -> None:
    """Write documents (HTML, PDF/A-3b, DOCX, tables) from a bundle.

    Inside a project folder (see `docgen init`) the options of its docgen.toml,
    its notes and template overrides apply; the flags here take precedence.
    """
    from docgen.app.progress import status
    from docgen.app.render import find_render_project, recorded_options, render_bundle_file, with_flags
    from docgen.render.colours import accent_warning
    from docgen.render.documents import RenderRequest
    from docgen.render.formats import default_stem, parse_formats
    from docgen.render.options import DocumentOptions

    chosen = parse_formats(formats)
    # a PDF's recorded options stand for everything a project folder would add
    # once: its options (unless --settings stands for them) and its [signing] key
    found = find_render_project(no_project)
    project = None if settings_path is not None else found
    if settings_path is not None:
        base = recorded_options(settings_path)
        _warn_other_version(settings_path)
    else:
        base = project.options if project else DocumentOptions()
    options = with_flags(base, title=title, author=author,
                         classification=classification, full_rules=full_rules or None)
    _warn_about_options(accent_warning(options.accent_color))
    request = RenderRequest(formats=chosen, stem=stem or default_stem(bundle_path), options=options,
                            jobs=jobs)
    signer = _signer(sign, sign_key, found)
    with status(f"Rendering {', '.join(chosen)}"):
        outcome = render_bundle_file(bundle_path, out_dir, request, project=project, strict=strict,
                                     signer=signer)
    for path in outcome.written:
        click.echo(f"wrote {path}")
    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)


def _warn_about_options(warning: str | None) -> None:
    """A document option that works but reads badly (a pale accent colour): one line."""
    if warning:
        click.echo(f"warning: {warning}", err=True)


def _warn_other_version(settings_path: Path) -> None:
    from docgen.app.render import recorded_version

    version = recorded_version(settings_path)
    if version is not None and version != __version__:
        click.echo(f"warning: {settings_path}: recorded by docgen {version}, this is docgen "
                   f"{__version__}: the pages may differ from the original's", err=True)


def _signer(sign: bool, key_path: Path | None, project) -> object | None:
    """A pyHanko signer for --sign: the key from --sign-key or [signing] pkcs12, its passphrase
    from the environment variable [signing] passphrase_env names, else asked on a terminal."""
    if not sign and key_path is None:
        return None
    from docgen.app.signing import SigningKey, load_signer
    from docgen.project.settings import DEFAULT_PASSPHRASE_ENV, PROJECT_FILE, setting_name

    signing = project.signing if project is not None else None
    path = key_path or (signing.pkcs12 if signing else None)
    if path is None:
        raise click.UsageError(f"--sign needs a key: --sign-key FILE, or "
                               f"{setting_name('signing', 'pkcs12')} in {PROJECT_FILE}")
    variable = signing.passphrase_env if signing else DEFAULT_PASSPHRASE_ENV
    passphrase = os.environ.get(variable)
    if passphrase is None and _on_terminal():
        passphrase = click.prompt(f"Passphrase of {path} (or set {variable})", hide_input=True,
                                  default="", show_default=False)
    return load_signer(SigningKey(path, passphrase.encode("utf-8") if passphrase else None))


def _on_terminal() -> bool:
    """Whether someone can answer a question (stdin is a terminal)."""
    return sys.stdin is not None and sys.stdin.isatty()


def _organization_name(text: str) -> str:
    if not text.strip():
        raise click.BadParameter("the organisation's name is empty", param_hint="--organization")
    return text.strip()


@cli.command(epilog=_example("docgen init customers/contoso-ltd",
                             "docgen init customers/contoso --organization 'Contoso Ltd'"))
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--organization", help="The customer's name, for the title and cover (default: asked "
              "on a terminal, else made from the folder's name: contoso-ltd gives 'Contoso Ltd').")
def init(folder: Path, organization: str | None) -> None:
    """Create a project folder: docgen.toml, notes/, raw/, collectors/ and a how-to."""
    from docgen.project import check_new_project, init_project, organization_from_folder
    from docgen.project.settings import PROJECT_FILE, setting_name

    check_new_project(folder)   # before asking anything
    change = f"to change it, edit {setting_name('document', 'organization')} in {PROJECT_FILE}"
    told = None
    if organization is not None:
        organization = _organization_name(organization)
    elif _on_terminal():
        organization = click.prompt("Organisation (the customer's name)",
                                    default=organization_from_folder(folder) or None,
                                    value_proc=_organization_name)
        told = change
    else:
        organization = organization_from_folder(folder)
        if not organization:
            raise click.UsageError("no organisation name in the folder's name: give --organization")
        told = f"from the folder's name; {change}"
    for path in init_project(folder, organization):
        click.echo(f"created {path}")
    if told:
        click.echo(f"organization: {organization} ({told})")
    click.echo(f"next: put the collectors' output into {folder / 'raw'} and run 'docgen build' there")


@cli.command(epilog=_example("docgen build", "docgen build --project customers/contoso"))
@click.option("--project", "project_dir", type=click.Path(path_type=Path), default=None,
              help="The project folder (default: the one you are in, or above it).")
@_sign_options
@_strict_option
@_jobs_option
def build(project_dir: Path | None, sign: bool, sign_key: Path | None, strict: bool,
          jobs: int | None) -> None:
    """Import everything under raw/, write the bundle and every document to out/.

    The bundle and the documents land together: an interrupted or failed build
    leaves out/ as it was.
    """
    from docgen.app.build import build_project
    from docgen.app.progress import stages
    from docgen.render.colours import accent_warning

    project = _project(project_dir)
    _warn_about_options(accent_warning(project.options.accent_color))
    signer = _signer(sign, sign_key, project)   # a wrong passphrase stops it before any work
    with stages("docgen build") as progress:
        result = build_project(project, jobs=jobs, strict=strict, progress=progress, signer=signer)
    click.echo(f"wrote {result.bundle_path}")
    for path in result.documents:
        click.echo(f"wrote {path}")
    for resolver in result.resolvers:
        click.echo(f"DNS looked up {resolver}")
    for name in result.skipped:
        click.echo(f"warning: {name}: not an input docgen recognises; skipped (recorded in the "
                   "bundle and listed in the report)", err=True)
    for source in result.results:
        for error in source.errors:
            click.echo(f"warning: {error}", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.partial:
        click.get_current_context().exit(EXIT_PARTIAL)


def _baseline_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from docgen.app.baseline import NAME_PATTERN, NAME_RULE

    if value is not None and not NAME_PATTERN.match(value):
        raise click.BadParameter(f"{value!r}: a baseline's name holds {NAME_RULE}")
    return value


@cli.group("baseline", epilog=_example("docgen baseline accept --by 'J. Smith' --note 'after the "
                                       "May change window'"))
def baseline_group() -> None:
    """The approved bundle of a project folder, that `docgen batch --baseline` compares with."""


@baseline_group.command("accept", epilog=_example(
    "docgen baseline accept --by 'J. Smith, Contoso IT'",
    "docgen baseline accept --project customers/contoso --note 'CAB 2041 approved'"))
@click.option("--project", "project_dir", type=click.Path(path_type=Path), default=None,
              help="The project folder (default: the one you are in, or above it).")
@click.option("--by", default=None, help="Who approves it (default: [baseline] accepted_by in "
              "docgen.toml; one of the two is required).")
@click.option("--note", default=None, help="Why, or which change it follows; kept in the record.")
@click.option("--name", default="baseline", show_default=True, callback=_baseline_name,
              help="The baseline's name: out/NAME.bundle.json and its record out/NAME.json.")
def baseline_accept(project_dir: Path | None, by: str | None, note: str | None, name: str) -> None:
    """Approve the folder's current bundle (out/<name>.bundle.json) as its baseline.

    Copies it to out/NAME.bundle.json and writes out/NAME.json: who accepted it,
    when, the note, and the bundle's SHA-256, organisation and collection time.
    """
    from docgen.app.baseline import accept_baseline

    accepted = accept_baseline(_project(project_dir), name, by=by, note=note)
    record = accepted.record
    click.echo(f"wrote {accepted.bundle_path}")
    click.echo(f"wrote {accepted.record_path}")
    click.echo(f"baseline {name!r}: {record['accepted_from']} (collected {record['collected_at']}, "
               f"SHA-256 {record['sha256']}), accepted by {record['accepted_by']} at "
               f"{record['accepted_at']}")


def _project(project_dir: Path | None):
    from docgen.project import find_project, load_project

    root = find_project(project_dir or Path.cwd())
    if root is None:
        raise DocgenError("not inside a docgen project (no docgen.toml here or above); "
                          "create one with 'docgen init'", source=str(project_dir or Path.cwd()))
    return load_project(root)


@cli.command(epilog=_example(
    "docgen batch customers/*/ --baseline baseline --summary runs.jsonl --summary-html overview.html",
    "docgen batch customers/contoso customers/fabrikam --jobs 2 --formats html"))
@click.argument("folders", nargs=-1, required=True, metavar="FOLDER...", type=click.Path(path_type=Path))
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Folders built at once, each in a process of its own (default: one per CPU). "
              "Inside each, a long PDF is rendered in that one process.")
@click.option("--baseline", metavar="NAME", default=None, callback=_baseline_name,
              help="Compare each new bundle with the folder's accepted baseline NAME "
              "(out/NAME.bundle.json, see 'docgen baseline accept'; its default name is 'baseline') "
              "and write the diff documents beside it (out/NAME.diff.json, .html, .pdf).")
@click.option("--summary", "summary_path", type=click.Path(path_type=Path), default=None,
              help="Append one JSON line per folder to this file (schema: 'docgen schema runs').")
@click.option("--summary-html", "overview_path", type=click.Path(path_type=Path), default=None,
              help="Write a one-page HTML overview of every folder, those needing attention first.")
@click.option("--formats", "--format", "formats", default=None,
              help=f"Comma-separated documents for every folder, instead of each docgen.toml's "
              f"[output] formats: {', '.join(FORMATS)}.")
def batch(folders: tuple[Path, ...], jobs: int | None, baseline: str | None, summary_path: Path | None,
          overview_path: Path | None, formats: str | None) -> None:
    """Build many project folders at once, each as `docgen build` there.

    A folder that fails never stops the others. One line per folder as it
    finishes (and a progress bar on a terminal). Exit codes: 0 all built (and
    unchanged); 3 some changed against the baseline; 4 some partial, or without
    an accepted baseline; 1 some failed. The worst wins: 1, then 4, then 3.
    """
    from docgen.app.batch import BatchRequest, append_summary, run_batch, write_overview
    from docgen.app.progress import progress_bar
    from docgen.render.formats import parse_formats

    request = BatchRequest(folders=folders, jobs=jobs, baseline=baseline,
                           formats=parse_formats(formats) if formats else None)
    count = len(dict.fromkeys(folders))
    done = 0
    with progress_bar(f"Building {count} folder(s)", count) as advance:
        def finished(record: dict) -> None:
            nonlocal done
            done += 1
            advance()
            click.echo(f"[{done}/{count}] {_folder_line(record)}")

        outcome = run_batch(request, finished)
    tally = ", ".join(f"{sum(1 for r in outcome.records if r['status'] == status)} {status}"
                      for status in dict.fromkeys(r["status"] for r in outcome.records))
    click.echo(f"{len(outcome.records)} folder(s) in {outcome.seconds:.1f} s: {tally}")
    if summary_path is not None:
        append_summary(summary_path, outcome.records)
        click.echo(f"wrote {summary_path}")
    if overview_path is not None:
        write_overview(overview_path, outcome, request)
        click.echo(f"wrote {overview_path}")
    click.get_current_context().exit(outcome.exit_code)


def _folder_line(record: dict) -> str:
    """`customers/contoso: changed, 4 change(s), 1 new finding(s) (9.2 s)`"""
    parts = [record["status"]]
    if record["changes"] is not None:
        parts.append(f"{record['changes']} change(s) against the baseline")
    findings = record["findings"] or {}
    for kind in ("new", "resolved", "open"):
        count = sum((findings.get(kind) or {}).values())
        if count:
            parts.append(f"{count} {kind} finding(s)")
    line = f"{record['folder']}: {', '.join(parts)} ({record['duration_seconds']:.1f} s)"
    problem = record["error"] or (record["warnings"][0] if record["warnings"] else None)
    if problem:
        more = record["warning_count"] - 1 if not record["error"] else 0
        line += f": {problem}" + (f" (and {more} more warning(s))" if more > 0 else "")
    return line


@cli.command(epilog=_example("docgen diff before.bundle.json after.bundle.json -o changes",
                             "docgen diff before.json after.json -o out --format json --fail-on-change"))
@click.argument("before_path", metavar="BEFORE", type=click.Path(path_type=Path))
@click.argument("after_path", metavar="AFTER", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=_OUTPUT_FOLDER,
              help="Folder for the diff documents (created if missing).")
@click.option("--format", "formats", default="html,pdf,json", show_default=True,
              help=f"Comma-separated: {', '.join(DIFF_FORMATS)}.")
@click.option("--changes-only", is_flag=True,
              help="Leave unchanged objects out of the PDF and start the HTML on 'changes only'.")
@click.option("--fail-on-change", is_flag=True,
              help="Exit with code 3 when the bundles differ (4 when parts could not be compared).")
@click.option("--author", default="", help="Author shown in the documents.")
@click.option("--title", default=None, help="Document title (default: 'Changes: <org>').")
@click.option("--name", "stem", default="diff", show_default=True, help="File name without extension.")
def diff(before_path: Path, after_path: Path, out_dir: Path, formats: str, changes_only: bool,
         fail_on_change: bool, author: str, title: str | None, stem: str) -> None:
    """Compare two bundles: what was added, removed, modified or replaced.

    Objects are matched by identity keys, never by position. Volatile facts
    (collection time, run id, TTLs) are listed apart and are not changes. Exit
    codes: 0 done; with --fail-on-change, 3 if anything changed, else 4 if a
    section or lookup could not be compared.
    """
    from docgen.app.diff import write_diff
    from docgen.app.progress import status
    from docgen.app.render import project_options, with_flags
    from docgen.render.documents import RenderRequest
    from docgen.render.formats import parse_formats

    chosen = parse_formats(formats, DIFF_FORMATS)
    options = with_flags(project_options(False), title=title, author=author or None)
    request = RenderRequest(formats=chosen, stem=stem, options=options)
    with status("Comparing bundles"):
        result = write_diff(before_path, after_path, out_dir, request, changes_only)
    summary = result.document["summary"]
    for path in result.written:
        click.echo(f"wrote {path}")
    if result.document["result"] == "no changes":
        click.echo("no changes")
    else:
        click.echo(f"{summary['changes']} change(s)")
    incomplete = summary["unknown"] or summary["not_comparable"]
    if incomplete:
        click.echo(f"warning: not comparable: {', '.join(summary['not_comparable']) or '-'}; "
                   f"unknown objects: {summary['unknown']}", err=True)
    if fail_on_change:
        if result.document["result"] == "changed":
            click.get_current_context().exit(EXIT_CHANGED)
        if incomplete:
            click.get_current_context().exit(EXIT_PARTIAL)


@cli.command(epilog=_example("docgen verify contoso.pdf", "docgen verify contoso.pdf --bundle contoso.bundle.json",
                             "docgen verify contoso.pdf --extract evidence/",
                             "docgen verify changes/diff.pdf",
                             "docgen verify contoso.docx --bundle contoso.bundle.json"))
@click.argument("pdf_path", metavar="DOCUMENT", type=click.Path(path_type=Path))
@click.option("--bundle", "bundle_path", type=click.Path(path_type=Path), default=None,
              help="A bundle file the attachment must equal, byte for byte (required for a DOCX, "
              "which carries no attachment: its hash must be the one the DOCX names).")
@click.option("--fast", is_flag=True, help="Check only the signature, the attachment and the hashes; "
              "do not render again, so the visible pages are NOT checked.")
@click.option("--trust", "trust", multiple=True, type=click.Path(path_type=Path), metavar="CERT",
              help="A certificate (PEM or DER: the signer's, or its CA's) the signature's "
              "certificate must chain to (repeatable); without it the signer's name is shown, "
              "not confirmed.")
@click.option("--extract", "extract_dir", type=click.Path(path_type=Path), default=None, metavar="DIR",
              help="Also write the PDF's attachments (bundle.json, docgen-render.json, ...) into DIR, "
              "to render them again by hand (see the README's auditor section).")
@click.option("--rerender", is_flag=True, hidden=True,
              help="Kept for old scripts: rendering again is what verify does unless --fast.")
def verify(pdf_path: Path, bundle_path: Path | None, fast: bool, trust: tuple[Path, ...],
           extract_dir: Path | None, rerender: bool) -> None:
    """Prove what a report PDF (or diff PDF, or DOCX) was built from, and that its pages are docgen's.

    Checks, each printed by name: the signature (if any); the attached bundle, its SHA-256 on
    the cover and in the metadata, its schema; then the attached bundle rendered again with
    the recorded options and compared page by page (count, text, drawing, annotations,
    metadata). Exit codes: 0 verified (also when the file was only re-saved by another
    program: the last line says so); 1 a check failed, or the file is not a whole PDF.
    """
    from docgen.app.progress import status
    from docgen.app.verify import extract_attachments, verify_document

    if extract_dir is not None:
        for path in extract_attachments(pdf_path, extract_dir):
            click.echo(f"wrote {path}")
    with status("Verifying" if fast else "Verifying: rendering the attached bundle again"):
        verification = verify_document(pdf_path, bundle_path, fast=fast and not rerender, trust=trust)
    for check in verification.checks:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    failed = [check.name for check in verification.checks if not check.ok]
    if failed:
        raise DocgenError(f"verification failed: {', '.join(dict.fromkeys(failed))}", source=str(pdf_path))
    click.echo(verification.verdict)


@cli.command(epilog=_example("docgen validate contoso.bundle.json"))
@click.argument("bundle_path", metavar="BUNDLE", type=click.Path(path_type=Path))
def validate(bundle_path: Path) -> None:
    """Check a bundle against the schema: every error with its key path, or 'valid'."""
    from docgen.bundle import load_bundle

    try:
        load_bundle(bundle_path)
    except BundleError as exc:
        if not exc.problems:
            raise
        for problem in exc.problems:
            click.echo(problem)
        raise BundleError(f"{len(exc.problems)} schema error(s)", source=str(bundle_path)) from None
    click.echo("valid")


@cli.command(epilog=_example("docgen schema bundle > bundle.schema.json",
                             "docgen schema runs > runs.schema.json"))
@click.argument("which", type=click.Choice(["bundle", "diff", "runs"]))
def schema(which: str) -> None:
    """Print the published JSON Schema of a bundle, a diff document or a batch summary line."""
    from docgen.app.schemas import published_schema

    click.echo(published_schema(which), nl=False)


def main() -> None:
    cli(prog_name="docgen")

