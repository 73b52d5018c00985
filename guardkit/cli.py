"""The ``guardkit`` command: check files against a policy, validate policies, evaluate detectors.

Exit codes: 0 clean, 1 something was blocked, 2 usage or configuration error. Findings are printed as rule ids
and positions, never with the text they matched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import IO, Any

__all__ = ["main"]

EXIT_CLEAN, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv", "venv"})
_BINARY_SNIFF = 8192


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


def _iter_paths(paths: Sequence[str]) -> Iterator[str]:
    for path in paths:
        if path == "-":
            yield path
        elif os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    yield os.path.join(root, name)
        elif os.path.exists(path):
            yield path
        else:
            raise _UsageError(f"{path}: no such file or directory")


def _read(path: str, stdin: IO[str]) -> str | None:
    if path == "-":
        return stdin.read()
    with open(path, "rb") as handle:
        data = handle.read()
    if b"\0" in data[:_BINARY_SNIFF]:
        return None  # binary
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
    paths = list(_iter_paths(args.paths))
    show = args.progress == "always" or (args.progress == "auto" and err.isatty())
    progress = _Progress(len(paths), err, show)
    stage = args.stage
    direction = "output" if stage == "output" else "input"
    if stage == "tool":
        policy = policy.replace(input=policy.tool)
    reports: list[dict[str, Any]] = []
    actions: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    skipped = 0
    for path in paths:
        text = _read(path, stdin)
        progress.step()
        if text is None:
            skipped += 1
            continue
        verdict = check_value(policy, direction, text, None)
        actions[str(verdict.action)] += 1
        findings = []
        for f in verdict.findings:
            rules[f.rule] += 1
            line, col = _position(text, f.start)
            findings.append(
                {"rule": f.rule, "kind": f.kind, "start": f.start, "end": f.end, "line": line,
                 "column": col, "score": round(f.score, 4), **({"detail": f.detail} if f.detail else {})}
            )
        name = "<stdin>" if path == "-" else path
        reports.append({"path": name, "action": str(verdict.action), "findings": findings})
        if not args.json and not args.quiet:
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
                "summary": {
                    "checked": len(reports),
                    "skipped_binary": skipped,
                    "actions": dict(actions),
                    "rules": dict(rules),
                },
            },
            out,
            indent=2,
        )
        out.write("\n")
    else:
        out.write(_summary(len(reports), skipped, actions, rules))
    return EXIT_BLOCKED if blocked else EXIT_CLEAN


def _summary(checked: int, skipped: int, actions: Counter[str], rules: Counter[str]) -> str:
    lines = [
        "",
        f"checked {checked} file(s)" + (f", skipped {skipped} binary" if skipped else ""),
        f"  {'action':<10} {'files':>6}",
    ]
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
