"""Static checks of the PowerShell collectors, on the tree tree-sitter-powershell parses.

`check_script(path)` returns every problem as "file:line:column: message" (1-based);
tests/test_collectors.py runs it on collectors/*.ps1 and on small snippets that break
each rule. The rules, and what they do not see, are described in that module's docstring.
"""

from __future__ import annotations

import re
from pathlib import Path

import tree_sitter
import tree_sitter_powershell

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))

# Commands that only read or print. Compared lower-case: PowerShell ignores case.
READ_ONLY_VERBS = {"get", "select", "where", "foreach", "sort", "group", "measure",
                   "convertto", "convertfrom", "format"}
READ_ONLY_COMMANDS = {
    "write-host", "write-verbose", "write-warning", "write-error", "write-output",
    "write-progress", "test-path", "join-path", "split-path", "resolve-path",
    "new-object", "import-module", "out-null", "out-string",
    # Changes only how strictly the script itself runs, in its own scope.
    "set-strictmode",
}
ALIASES = {"%": "foreach-object", "foreach": "foreach-object",
           "?": "where-object", "where": "where-object"}
# Allowed only when every path they are given is the output path (see file_write_problems).
FILE_WRITERS = {"out-file", "set-content", "new-item"}
PATH_PARAMETERS = {"path", "filepath", "literalpath", "lp", "pspath"}  # lp, pspath: aliases
# Switches the writers take: the word after them is not their value.
SWITCHES = {"force", "append", "noclobber", "nonewline", "passthru", "whatif", "confirm",
            "verbose", "debug", "resolve"}
DOTNET_FILE_TYPES = {"system.io.file", "io.file", "system.io.directory", "io.directory"}
DOTNET_READS = ("read", "exists", "get", "enumerate", "openread", "opentext")
# How the collectors make a relative path absolute before .NET sees it.
RESOLVE_PATH = "$executioncontext.sessionstate.path.getunresolvedproviderpathfrompspath("

# Nodes whose text is data, not code: a "?" in them is no operator.
TEXT_NODES = {"comment", "string_literal", "generic_token", "variable", "command_name",
              "command_parameter"}
PS7_OPERATORS = re.compile(rb"\?\?=|\?\?|\?\.|\?\[|\?")
PS7_OPERATOR_NAMES = {b"??=": "null-coalescing assignment ??=", b"??": "null-coalescing ??",
                      b"?.": "null-conditional ?.", b"?[": "null-conditional ?[",
                      b"?": "ternary ? :"}
REQUIRES_VERSION = re.compile(r"#requires\b.*?-version\s+(\d+)(?:\.(\d+))?", re.IGNORECASE)
# The grammar reads an integer range without spaces (1..3) as a command named "1..3".
RANGE_READ_AS_COMMAND = re.compile(r"\d+\.\.")
CMDLET_NAME = re.compile(r"([a-z]+)-\w+")


def check_script(path: Path) -> list[str]:
    """Every problem of one script: syntax, commands, writes, PowerShell 7-only syntax."""
    source = path.read_bytes()
    root = PARSER.parse(source).root_node
    found = (syntax_errors(root) + command_problems(root) + file_write_problems(root)
             + ps7_syntax(root, source))
    return [f"{path.name}:{where(source, offset)}: {message}"
            for offset, message in sorted(found)]


# --- the four checks: each returns [(byte offset, message)] ---------------------------------

def syntax_errors(root) -> list:
    """ERROR nodes (the outermost: nested ones are the same fault) and MISSING nodes."""
    found = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error:
            found.append((node.start_byte, "syntax error (tree-sitter ERROR node)"))
        elif node.is_missing:
            found.append((node.start_byte, f"missing {node.type!r} (tree-sitter MISSING node)"))
        else:
            stack.extend(node.children)
    return found


def command_problems(root) -> list:
    """Commands outside the read-only allow-list, ForEach-Object -Parallel, COM objects."""
    local_functions = {text(name).lower() for name in nodes(root, "function_name")}
    block_parameters = scriptblock_parameters(root)
    found = []
    for command in nodes(root, "command"):
        name = command_name(command)
        if name is None:  # & $x, & 'name', & { ... }
            if invoked_block(command) not in block_parameters:
                found.append((command.start_byte,
                              f"dynamic command {text(command).splitlines()[0]}"))
            continue
        if RANGE_READ_AS_COMMAND.match(name):
            continue
        canonical = ALIASES.get(name.lower(), name.lower())
        # A function of the script is checked where it is defined: calling it is fine.
        if not (is_read_only(canonical) or canonical in FILE_WRITERS
                or canonical in local_functions):
            found.append((command.start_byte, f"{name} is not a read-only command"))
        if canonical == "foreach-object" and abbreviates(command, "parallel", "pa"):
            found.append((command.start_byte, "ForEach-Object -Parallel is PowerShell 7 only"))
        if canonical == "new-object" and abbreviates(command, "comobject", "com"):
            found.append((command.start_byte, "New-Object -ComObject is not allowed"))
    return found


def file_write_problems(root) -> list:
    """Out-File/Set-Content/New-Item and [IO.File]/[IO.Directory] writes off the output path."""
    trusted = output_variables(root)
    found = []
    for command in nodes(root, "command"):
        if (command_name(command) or "").lower() in FILE_WRITERS:
            found += [(command.start_byte, problem)
                      for problem in cmdlet_write_problems(command, trusted)]
    for call in nodes(root, "invokation_expression"):
        method = dotnet_file_write(call)
        target = first_argument(call)
        if method and variable_name(target) not in trusted:
            shown = text(target) or "nothing"
            found.append((call.start_byte, f"{method} writes to {shown}, not to the output path"))
    return found


def ps7_syntax(root, source: bytes) -> list:
    """Syntax Windows PowerShell 5.1 does not have."""
    found = [(tail.start_byte, f"pipeline chain {text(tail.children[0])} is PowerShell 7 only")
             for tail in nodes(root, "pipeline_chain_tail")]
    # The grammar has no ?? ?. ?[ or ternary (they parse as ERROR): find them in the text.
    for match in PS7_OPERATORS.finditer(source):
        if is_code(root.descendant_for_byte_range(match.start(), match.start() + 1)):
            found.append((match.start(),
                          f"{PS7_OPERATOR_NAMES[match.group()]} is PowerShell 7 only"))
    for comment in nodes(root, "comment"):
        version = REQUIRES_VERSION.match(text(comment))
        if version and (int(version[1]), int(version[2] or 0)) > (5, 1):
            found.append((comment.start_byte, f"{text(comment).strip()} needs more than 5.1"))
    return found


# --- the rules' parts -------------------------------------------------------------------------

def is_read_only(command: str) -> bool:
    # Verb-Noun only: Get-X.ps1 or .\Get-X would run a file, not a cmdlet.
    verb_noun = CMDLET_NAME.fullmatch(command)
    return bool(verb_noun and verb_noun[1] in READ_ONLY_VERBS) or command in READ_ONLY_COMMANDS


def cmdlet_write_problems(command, trusted: set[str]) -> list[str]:
    """Every path an Out-File/Set-Content/New-Item is given must be an output variable.

    The paths: the values of -Path/-FilePath/-LiteralPath (or its aliases), else the first
    positional argument. New-Item may only make a directory.
    """
    name = command_name(command)
    named, positional = command_arguments(command)
    targets = [value for key, value in named if key in PATH_PARAMETERS] or positional[:1]
    problems = [] if targets else [f"{name} has no path argument to check"]
    problems += [f"{name} writes to {text(target) or 'nothing'}, not to the output path"
                 for target in targets if variable_name(target) not in trusted]
    if name.lower() == "new-item":
        item_types = [text(value).strip("'\"").lower() for key, value in named
                      if key in ("itemtype", "type")]
        if item_types != ["directory"]:
            problems.append("New-Item is allowed only with -ItemType Directory")
    return problems


def output_variables(root) -> set[str]:
    """Names (lower-case, no $) of the output parameters and the variables derived from them.

    Output parameters: entries of the script's own param block named Output*. A variable
    is derived when every assignment to it is a plain `=` of `Join-Path <trusted> ...` or
    `$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath(<trusted>)`.
    Any other binding of a name (another assignment, a function parameter, a foreach
    variable) leaves it untrusted, output parameters included.
    """
    own_parameters = {variable_name(v) for v in script_parameters(root)}
    sources: dict[str, list] = {}
    for variable, derived_from in variable_bindings(root):
        sources.setdefault(variable_name(variable), []).append(derived_from)
    trusted = {name for name in own_parameters
               if name.startswith("output") and name not in sources}
    grown = True
    while grown:  # derived from derived: repeat until nothing new is trusted
        grown = False
        for name, froms in sources.items():
            if name not in trusted and all(f in trusted for f in froms):
                trusted.add(name)
                grown = True
    return trusted


def variable_bindings(root):
    """(variable node, the variable it is derived from or None) for each place one is set."""
    own = {v.id for v in script_parameters(root)}
    for parameter in nodes(root, "script_parameter"):
        variable = first(parameter, "variable")
        if variable is not None and variable.id not in own:
            yield variable, None
    for loop in nodes(root, "foreach_statement"):
        yield first(loop, "variable"), None
    for assignment in nodes(root, "assignment_expression"):
        left = first(assignment, "left_assignment_expression")
        plain = unwrap(left) is not None and unwrap(left).type == "variable"
        derived_from = derivation(assignment) if plain else None
        for variable in nodes(left, "variable"):
            yield variable, derived_from


def derivation(assignment) -> str | None:
    """The variable `$x = Join-Path $out ...` or `$x = ...GetUnresolved...($out)` builds on."""
    operator = first(assignment, "assignement_operator")  # sic: the grammar's spelling
    value = unwrap(assignment.child_by_field_name("value"))
    if text(operator) != "=" or value is None:
        return None
    if value.type == "command" and (command_name(value) or "").lower() == "join-path":
        named, positional = command_arguments(value)
        paths = [v for k, v in named if k == "path"] or positional[:1]
        return variable_name(paths[0]) if len(paths) == 1 else None
    if value.type == "invokation_expression" and text(value).lower().startswith(RESOLVE_PATH):
        return variable_name(first_argument(value))
    return None


def dotnet_file_write(call) -> str | None:
    """'[IO.File]::WriteAllText' for a static File/Directory method that is not a read."""
    type_literal, method = call.children[0], first(call, "member_name")
    if type_literal.type != "type_literal" or method is None:
        return None
    if (text(type_literal).strip("[]").lower() in DOTNET_FILE_TYPES
            and not text(method).lower().startswith(DOTNET_READS)):
        return f"{text(type_literal)}::{text(method)}"
    return None


def command_arguments(command) -> tuple[list, list]:
    """([(parameter name, value node or None)], [positional argument nodes]).

    A parameter takes the next argument as its value unless it is a known switch;
    `-Name:value` always does.
    """
    elements = command.child_by_field_name("command_elements")
    items = [n for n in (elements.children if elements else []) if n.is_named]
    named, positional = [], []
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if item.type == "command_argument_sep":
            continue
        if item.type != "command_parameter":
            positional.append(item)
            continue
        key = text(item).lstrip("-").rstrip(":").lower()
        colon = index < len(items) and text(items[index]) == ":"
        while index < len(items) and items[index].type == "command_argument_sep":
            index += 1
        following = items[index] if index < len(items) else None
        if following is not None and following.type != "command_parameter" and (
                colon or key not in SWITCHES):
            named.append((key, following))
            index += 1
        else:
            named.append((key, None))
    return named, positional


def abbreviates(command, full: str, shortest: str) -> bool:
    """Whether the command has -full, or a prefix of it from `shortest` on (PowerShell
    accepts any unambiguous prefix)."""
    named, _ = command_arguments(command)
    return any(key.startswith(shortest) and full.startswith(key) for key, _ in named)


def command_name(command) -> str | None:
    """The invoked name; None when it is computed (& $block, & 'name', & { ... })."""
    name = command.child_by_field_name("command_name")
    if name is None or name.type == "command_name":
        return text(name) or None
    # command_name_expr, after & or . : static when it holds a plain name
    static = (first(name, "command_name")
              or first(first(name, "path_command_name"), "path_command_name_token"))
    return text(static) if static is not None else None


def invoked_block(command) -> str | None:
    """For `& $x`, x; for `& { ... }`, "{}" (its commands are checked where they stand)."""
    expression = command.child_by_field_name("command_name")
    if first(expression, "script_block_expression") is not None:
        return "{}"
    return variable_name(first(expression, "path_command_name"))


def scriptblock_parameters(root) -> set[str]:
    """Parameters declared [scriptblock], and "{}": what `& ...` may run.

    Script blocks are written in the script, where their commands are checked too.
    """
    names = {"{}"}
    for parameter in nodes(root, "script_parameter"):
        if "scriptblock" in {text(t).strip("[]").lower() for t in nodes(parameter, "type_literal")}:
            names.add(variable_name(first(parameter, "variable")))
    return names


def script_parameters(root) -> list:
    """The variable nodes of the script's own param block (not its functions')."""
    block = first(root, "param_block")
    return [first(p, "variable") for p in nodes(block, "script_parameter")]


def first_argument(call):
    """The first argument of a method call (`[IO.File]::WriteAllText($path, ...)`)."""
    arguments = first(first(call, "argument_list"), "argument_expression_list")
    return first(arguments, "argument_expression")


def is_code(node) -> bool:
    """False inside strings, comments, variable names and barewords; code again in $( )."""
    while node is not None:
        if node.type in TEXT_NODES:
            return False
        if node.type == "sub_expression":
            return True
        node = node.parent
    return True


# --- tree helpers -----------------------------------------------------------------------------

def nodes(root, node_type: str):
    """Every node of node_type under root (root included), in source order."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if node.type == node_type:
            yield node
        stack.extend(reversed(node.children))


def first(node, node_type: str):
    """The first direct child of node_type, or None."""
    if node is None:
        return None
    return next((child for child in node.children if child.type == node_type), None)


def unwrap(node):
    """Down the chain of one-child wrappers (unary_expression, pipeline, parentheses...)."""
    while node is not None and node.type != "variable" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def variable_name(node) -> str | None:
    """'outputpath' for $OutputPath, ${OutputPath}, ($OutputPath); None for anything else."""
    node = unwrap(node)
    if node is None or node.type != "variable":
        return None
    return text(node).lstrip("$").strip("{}").lower()


def where(source: bytes, offset: int) -> str:
    """1-based line:column of a byte offset, the column counted in characters."""
    line = source.count(b"\n", 0, offset) + 1
    line_start = source.rfind(b"\n", 0, offset) + 1
    column = len(source[line_start:offset].decode("utf-8", "replace")) + 1
    return f"{line}:{column}"


def text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""
