"""`studytool check FILE... [--json]` as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from studytool.cli.main import cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", *args], input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_json_output_is_one_object_per_file() -> None:
    first, second = FIXTURES / "vpn-ecmp.yaml", FIXTURES / "api-cache.yaml"
    code, out, err = run(str(first), str(second), "--json")
    assert code == 0 and err == ""
    objects = [json.loads(line) for line in out.splitlines()]
    assert [obj["file"] for obj in objects] == [str(first), str(second)]
    vpn = objects[0]
    assert list(vpn) == ["file", "title", "answers"]
    assert (
        vpn["title"]
        == "Three BGP connections on a transit gateway, three on a virtual private gateway"
    )
    assert vpn["answers"][0]["ask"] == "vpn-max-throughput-gbps tgw-1"
    assert vpn["answers"][0]["answer"] == 5.0
    assert set(vpn["answers"][0]) == {"ask", "answer", "because", "rules"}
    assert "tgw-ecmp-bandwidth" in vpn["answers"][0]["rules"]
    assert (objects[1]["answers"][0]["ask"], objects[1]["answers"][0]["answer"]) == (
        "backend-calls",
        10,
    )


def test_json_answer_for_the_format_example() -> None:
    code, out, _ = run(str(FIXTURES / "shared-nat-az-failure.yaml"), "--json")
    assert code == 0
    answers = {a["ask"]: a for a in json.loads(out)["answers"]}
    egress = answers["internet-egress app-b"]
    assert egress["answer"] is False
    assert (
        "nat-a is down: its availability zone a failed (rule nat-gateway-zonal)"
        in egress["because"]
    )
    assert answers["lost-internet-if-az-fails b"]["answer"] == []
    assert answers["problems"]["answer"] == []


def test_human_output_is_readable() -> None:
    code, out, _ = run(str(FIXTURES / "per-az-nat.yaml"))
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0]
        == f"{FIXTURES / 'per-az-nat.yaml'}: One NAT gateway per AZ, each AZ routed to its own"
    )
    assert "  lost-internet-if-az-fails a: (none)" in lines
    assert "  internet-egress app-c: yes" in lines
    assert "  subnet-type public-c: public" in lines
    assert any(
        line.startswith("    - ") and line.endswith("(rule nat-gateway-zonal)") for line in lines
    )


def test_numbers_show_their_unit() -> None:
    _, out, _ = run(str(FIXTURES / "vpn-ecmp.yaml"))
    assert "  vpn-max-throughput-gbps tgw-1: 5 Gbps" in out.splitlines()


def test_a_bad_file_reports_lines_exits_2_and_the_others_are_still_checked() -> None:
    bad, good = FIXTURES / "bad-syntax.yaml", FIXTURES / "api-cache.yaml"
    code, out, err = run(str(bad), str(good), "--json")
    assert code == 2
    assert err.splitlines() == [f"{bad}:4: YAML syntax error: did not find expected ',' or '}}'"]
    assert json.loads(out)["answers"][0]["answer"] == 10


def test_every_error_of_a_file_is_printed() -> None:
    bad = FIXTURES / "bad-names-and-types.yaml"
    code, out, err = run(str(bad))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 19
    assert all(line.startswith(f"{bad}:") for line in lines)
    assert (
        lines[0] == f"{bad}:2: the VPC cidr: '10.0.0.1/16' has host bits set "
        "(the network address is expected)"
    )


def test_a_missing_file_is_an_error_too(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, out, err = run(str(missing), str(FIXTURES / "per-az-nat.yaml"))
    assert code == 2
    assert err.startswith(f"{missing}: cannot read the file")
    assert "internet-egress app-c: yes" in out


def test_standard_input() -> None:
    code, out, _ = run("-", "--json", stdin="ask: [problems]\n")
    assert code == 0
    assert json.loads(out) == {
        "file": "-", "title": None,
        "answers": [
            {"ask": "problems", "answer": [], "rules": [],
             "because": ["no problem found in the configuration"]},
        ],
    }  # fmt: skip


def test_files_are_required() -> None:
    code, _, err = run()
    assert code == 2
    assert "Missing argument" in err


def test_check_does_not_import_the_database_or_the_terminal_app() -> None:
    """Start-up cost: `studytool check` loads click, yaml and the model only."""
    code = (
        "import sys\n"
        "from studytool.cli.main import cli\n"
        f"sys.argv = ['studytool', 'check', {str(FIXTURES / 'per-az-nat.yaml')!r}]\n"
        "try:\n    cli()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in\n"
        "    ('textual', 'sqlalchemy', 'sqlmodel', 'rich', 'genanki')]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_standard_input_that_is_not_utf8_is_an_error_with_its_line() -> None:
    code, out, err = run("-", stdin=b"title: caf\xe9\nask: [problems]\n")
    assert (code, out) == (2, "")
    assert err == "<stdin>:1: the file is not UTF-8 text\n"
