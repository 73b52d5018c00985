"""The ``guardkit`` command: check files against a policy, validate policies, evaluate detectors.

Exit codes: 0 clean, 1 something was blocked, 2 usage or configuration error, or a file that could not be
read. Findings are printed as rule ids and positions, never with the text they matched.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guardkit._types import Finding

__all__ = ["main"]

EXIT_CLEAN, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv"})
_BINARY_SNIFF = 8192
# Byte-order marks and how to decode what follows (UTF-32 first: its little-endian mark starts with
# UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guardkit", description="Guard LLM inputs and outputs with a policy."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser(
        "check",
        help="check files, directories or stdin against a policy",
        description="Apply a policy (the recommended one by default) to each file and report findings.",
    )
    check.add_argument("paths", nargs="*", default=["-"], metavar="PATH", help="file, directory or -")
    check.add_argument("--policy", metavar="FILE", help="guardkit.toml or pyproject.toml")
    check.add_argument(
        "--stage",
        choices=("input", "output", "tool"),
        default="input",
        help="which checks of the policy to apply (default: input)",
    )
    check.add_argument(
        "--binary",
        choices=("skip", "check"),
        default="skip",
        help="binary files: skip and list them (default), or check them as text",
    )
    check.add_argument("--json", action="store_true", help="print one JSON report")
    check.add_argument("--quiet", "-q", action="store_true", help="print only the summary")
    check.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr (auto: when stderr is a terminal)",
    )

    policy = sub.add_parser("policy", help="work with policy files")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    validate = policy_sub.add_parser("validate", help="check that a policy file builds")
    validate.add_argument("file", metavar="FILE")
    validate.add_argument("--json", action="store_true")

    evaluate = sub.add_parser("eval", help="score detectors on a labeled JSONL file")
    evaluate.add_argument("task", choices=("pii",), help="what to evaluate")
    evaluate.add_argument("file", metavar="FILE.jsonl")
    evaluate.add_argument("--json", action="store_true")
    return parser


def _iter_paths(paths: Sequence[str], errors: list[OSError]) -> Iterator[tuple[str, str]]:
    """The files to check, each with ``""`` or why it is skipped; directories that cannot be listed
    go to *errors*.

    A file named on the command line is read whatever it is (``/dev/stdin``, a pipe); in a directory,
    links to nothing and what is not a regular file (pipes, sockets, devices, which may never end)
    are skipped.
    """
    for path in paths:
        if path == "-":
            yield path, ""
        elif os.path.isdir(path):
            for root, dirs, files in os.walk(path, onerror=errors.append):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    file = os.path.join(root, name)
                    if os.path.isfile(file):
                        yield file, ""
                    elif os.path.islink(file) and not os.path.exists(file):
                        yield file, "broken link"
                    else:
                        yield file, "not a regular file"
        elif os.path.exists(path):
            yield path, ""
        else:
            raise _UsageError(f"{path}: no such file or directory")


def _read(path: str, stdin: IO[str], binary: bool) -> str | None:
    """The text of *path*, or None for a binary file (unless *binary*: then it is text too)."""
    if path == "-":
        return stdin.read()
    with open(path, "rb") as handle:
        data = handle.read()
    return _decode(data, binary)


def _decode(data: bytes, binary: bool = False) -> str | None:
    """The text of a file's bytes, or None when it is binary.

    A file is binary when it is neither UTF-8 nor marked as UTF-16 or UTF-32, and has a NUL byte
    near the start: a NUL byte alone does not make a text file binary, so it cannot hide one from
    the check. Other bytes that are not UTF-8 become U+FFFD.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        if not binary and b"\0" in data[:_BINARY_SNIFF]:
            return None
        return data.decode("utf-8", errors="replace")


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


class _Progress:
    def __init__(self, total: int, stream: IO[str], enabled: bool) -> None:
        self.total = total
        self.stream = stream
        self.enabled = enabled and total > 1
        self.done = 0

    def step(self) -> None:
        if not self.enabled:
            return
        self.done += 1
        width = 30
        filled = width * self.done // self.total
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
        if self.done == self.total:
            self.stream.write("\r" + " " * (width + 24) + "\r")
        self.stream.flush()


def _cmd_check(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[str]) -> int:
    from guardkit._engine import check_value
    from guardkit._policy import Policy

    policy = Policy.from_file(args.policy) if args.policy else Policy.recommended()
    walk_errors: list[OSError] = []
    paths = list(_iter_paths(args.paths, walk_errors))
    show = args.progress == "always" or (args.progress == "auto" and err.isatty())
    progress = _Progress(len(paths), err, show)
    stage = args.stage
    direction = "output" if stage == "output" else "input"
    if stage == "tool":
        policy = policy.replace(input=policy.tool)
    reports: list[dict[str, Any]] = []
    actions: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    skipped: list[dict[str, str]] = []
    # Fail closed: the run goes on, and exits 2 as some content went unchecked.
    unreadable = [_unreadable(str(exc.filename), exc, err) for exc in walk_errors]
    listing = not args.json and not args.quiet
    for path, skip in paths:
        progress.step()
        if skip:
            skipped.append({"path": path, "reason": skip})
            if listing:
                out.write(f"{path}: skipped ({skip})\n")
            continue
        try:
            text = _read(path, stdin, args.binary == "check")
        except OSError as exc:
            unreadable.append(_unreadable(path, exc, err))
            continue
        if text is None:
            skipped.append({"path": path, "reason": "binary"})
            if listing:
                out.write(f"{path}: skipped (binary)\n")
            continue
        verdict = check_value(policy, direction, text, None)
        actions[str(verdict.action)] += 1
        findings = [_finding(f, text) for f in verdict.findings]
        rules.update(f.rule for f in verdict.findings)
        name = "<stdin>" if path == "-" else path
        reports.append({"path": name, "action": str(verdict.action), "findings": findings})
        if listing:
            for item in findings:
                out.write(
                    f"{name}:{item['line']}:{item['column']}: {verdict.action} "
                    f"{item['rule']} {item['kind']}\n"
                )
    blocked = actions.get("block", 0)
    if args.json:
        json.dump(
            {
                "policy": policy.name,
                "stage": stage,
                "files": reports,
                "skipped": skipped,
                "unreadable": unreadable,
                "summary": {
                    "checked": len(reports),
                    "skipped_binary": sum(s["reason"] == "binary" for s in skipped),
                    "skipped_other": sum(s["reason"] != "binary" for s in skipped),
                    "unreadable": len(unreadable),
                    "actions": dict(actions),
                    "rules": dict(rules),
                },
            },
            out,
            indent=2,
        )
        out.write("\n")
    else:
        out.write(_summary(len(reports), skipped, len(unreadable), actions, rules))
    if unreadable:
        return EXIT_USAGE
    return EXIT_BLOCKED if blocked else EXIT_CLEAN


def _unreadable(path: str, exc: OSError, err: IO[str]) -> dict[str, str]:
    """Report a file or directory that could not be read, and return its JSON entry."""
    reason = exc.strerror or type(exc).__name__
    err.write(f"guardkit: error: {path}: {reason}\n")
    return {"path": path, "error": reason}


def _finding(f: Finding, text: str) -> dict[str, Any]:
    """The JSON entry of a finding: rule, kind, offsets, line and column, score (never the text)."""
    line, col = _position(text, f.start)
    return {
        "rule": f.rule,
        "kind": f.kind,
        "start": f.start,
        "end": f.end,
        "line": line,
        "column": col,
        "score": round(f.score, 4),
        **({"detail": f.detail} if f.detail else {}),
    }


def _summary(
    checked: int, skipped: list[dict[str, str]], unreadable: int, actions: Counter[str], rules: Counter[str]
) -> str:
    head = f"checked {checked} file(s)"
    binary = sum(s["reason"] == "binary" for s in skipped)
    if binary:
        head += f", skipped {binary} binary"
    if len(skipped) > binary:
        head += f", skipped {len(skipped) - binary} other (broken links, pipes, devices)"
    if unreadable:
        head += f", {unreadable} unreadable"
    lines = ["", head, f"  {'action':<10} {'files':>6}"]
    for action in ("block", "redact", "warn", "allow"):
        if actions.get(action):
            lines.append(f"  {action:<10} {actions[action]:>6}")
    if rules:
        width = max(len(r) for r in rules)
        lines.append(f"  {'rule':<{width}} {'findings':>8}")
        lines.extend(f"  {rule:<{width}} {count:>8}" for rule, count in rules.most_common())
    return "\n".join(lines) + "\n"


def _cmd_policy_validate(args: argparse.Namespace, out: IO[str]) -> int:
    from guardkit._policy import Policy

    policy = Policy.from_file(args.file)
    summary = {
        "name": policy.name,
        "input": [c.name for c in policy.input],
        "output": [c.name for c in policy.output],
        "tool": [c.name for c in policy.tool],
        "monitor": policy.monitor,
    }
    if args.json:
        json.dump({"valid": True, **summary}, out, indent=2)
        out.write("\n")
    else:
        out.write(
            f"{args.file}: valid policy {policy.name!r}: {len(policy.input)} input, "
            f"{len(policy.output)} output, {len(policy.tool)} tool check(s)\n"
        )
    return EXIT_CLEAN


def _cmd_eval(args: argparse.Namespace, out: IO[str]) -> int:
    from guardkit._eval import run_eval_pii

    return int(run_eval_pii(args.file, json_output=args.json, out=out))


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    stdin: IO[str] | None = None,
) -> int:
    """Run the command line; returns the exit code."""
    from guardkit._errors import ConfigError

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 on --help
        return int(exc.code or 0)
    try:
        if args.command == "check":
            return _cmd_check(args, out, err, stdin or sys.stdin)
        if args.command == "policy":
            return _cmd_policy_validate(args, out)
        return _cmd_eval(args, out)
    except (ConfigError, _UsageError) as exc:
        err.write(f"guardkit: error: {exc}\n")
        return EXIT_USAGE
    except OSError as exc:
        err.write(f"guardkit: error: {exc.filename or ''}: {exc.strerror}\n")
        return EXIT_USAGE


def run() -> None:
    """Entry point for the ``guardkit`` script."""
    sys.exit(main())
