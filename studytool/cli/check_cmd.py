"""``studytool check FILE... [--json]``: answer every question of scenario files with the rule
model, with the reasons. A bad file prints ``FILE:LINE: what is wrong`` lines on stderr and
makes the exit status 2; the other files are still checked. Imports only click, yaml and the
model (no database, no Textual), so it starts as fast as ``studytool --help``.

Names a scenario uses without defining them but that AWS would supply (an implicit main route
table, a new security group's defaults) are warnings: ``FILE:LINE: warning: what`` on stderr,
exit status 0, and the JSON objects on stdout keep their keys.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from studytool.scenarios.scenario_file import (
    Issue,
    Scenario,
    ScenarioAnswer,
    ScenarioError,
    answer_all,
    load_scenario_bytes,
    load_scenario_file,
)

EXIT_BAD_FILE = 2
STDIN_NAME = "-"


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--json", "as_json", is_flag=True,
    help='One JSON object per file, one per line: {"file", "title", "answers": '
    '[{"ask", "answer", "because", "rules"}]}.',
)  # fmt: skip
def command(files: tuple[str, ...], as_json: bool) -> None:
    """Answer the questions of scenario FILES (YAML; '-' reads standard input).

    \b
    Each answer comes with the reasons, citing the rules applied, e.g.
      internet-egress app-b: no
        - nat-a is down: its availability zone a failed (rule nat-gateway-zonal)
    Warnings (names AWS would supply, like an undefined main route table) go to
    stderr as FILE:LINE: warning: ... and leave the exit status at 0.
    Exit status: 0 when every file was answered, 2 when a file could not be read.
    """
    status = 0
    for name in files:
        checked = _check(name)
        if isinstance(checked, list):
            for line in checked:
                click.echo(line, err=True)
            status = EXIT_BAD_FILE
            continue
        scenario, answers = checked
        for warning in scenario.warnings:
            click.echo(warning.as_warning(), err=True)
        if as_json:
            import json

            click.echo(json.dumps(_json_object(name, scenario, answers), ensure_ascii=False))
        else:
            click.echo(_human_text(name, scenario, answers))
    sys.exit(status)


def _check(name: str) -> tuple[Scenario, list[ScenarioAnswer]] | list[str]:
    """The scenario and its answers, or the error lines to print."""
    try:
        if name == STDIN_NAME:
            scenario = load_scenario_bytes(sys.stdin.buffer.read(), "<stdin>")
        else:
            scenario = load_scenario_file(Path(name), name)
    except ScenarioError as error:
        return _problem_lines(error.issues, error.warnings)
    except OSError as error:
        return [f"{name}: cannot read the file: {error.strerror or error}"]
    try:
        return scenario, answer_all(scenario)
    except ScenarioError as error:
        return _problem_lines(error.issues, scenario.warnings)


def _problem_lines(errors: list[Issue], warnings: list[Issue]) -> list[str]:
    """Errors and warnings of a file in line order (an error first on a shared line)."""
    tagged = [(issue.line, 0, str(issue)) for issue in errors]
    tagged += [(issue.line, 1, issue.as_warning()) for issue in warnings]
    return [text for _line, _order, text in sorted(tagged)]


def _json_object(name: str, scenario: Scenario, answers: list[ScenarioAnswer]) -> dict[str, object]:
    return {
        "file": name,
        "title": scenario.title,
        "answers": [answer.to_json() for answer in answers],
    }


def format_value(value: object, unit: str | None = None) -> str:
    """An answer as a person reads it: yes/no, comma-separated lists, numbers with units."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) if value else "(none)"
    if isinstance(value, float):
        text = f"{value:g}"
        return f"{text} {unit}" if unit else text
    return str(value)


def _human_text(name: str, scenario: Scenario, answers: list[ScenarioAnswer]) -> str:
    heading = f"{name}: {scenario.title}" if scenario.title else name
    lines = [heading]
    if not answers:
        lines.append("  (no questions: add an 'ask' list)")
    for answer in answers:
        lines.append(f"  {answer.ask}: {format_value(answer.answer, answer.unit)}")
        lines.extend(f"    - {reason}" for reason in answer.because)
    return "\n".join(lines)
