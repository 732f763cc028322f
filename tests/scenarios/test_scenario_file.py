"""Scenario files: loading into the model, answering every question type, and precise
``FILE:LINE: what is wrong`` errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from studytool.model.problems import PROBLEM_IDS
from studytool.model.queries import QUESTIONS
from studytool.scenarios.scenario_file import (
    Issue,
    ScenarioError,
    answer_all,
    check_text,
    load_scenario,
    load_scenario_file,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"


def answers_of(name: str) -> dict[str, object]:
    scenario = load_scenario_file(FIXTURES / name)
    return {answer.ask: answer.answer for answer in answer_all(scenario)}


def issues_of(text: str, **options: object) -> list[tuple[int, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(textwrap.dedent(text), **options)  # type: ignore[arg-type]
    return [(issue.line, issue.message) for issue in caught.value.issues]


# --------------------------------------------------------------------------- answers
def test_the_format_example_with_its_missing_names_defined() -> None:
    """The scenario of the format document (plus rt-main and sg-nat, which it names but does
    not define): AZ a fails, tunnel vpn-1/1 is down, nat-i is stopped."""
    assert answers_of("shared-nat-az-failure.yaml") == {
        "subnet-type private-b": "private",
        "internet-egress app-b": False,
        "internet-egress-ipv6 app-b": True,
        "internet-ingress app-b 22": False,
        "internet-ingress web-a 443": False,
        "lost-internet-if-az-fails b": [],
        "vpn-up vpn-1": True,
        "vpn-max-throughput-gbps tgw-1": 1.25,
        "vpn-max-throughput-gbps vgw-1": 0.0,
        "backend-calls": 1,
        "problems": [],
    }
    scenario = load_scenario_file(FIXTURES / "shared-nat-az-failure.yaml")
    egress = answer_all(scenario)[1]
    assert (
        "nat-a is down: its availability zone a failed (rule nat-gateway-zonal)" in egress.because
    )
    assert egress.rules == ["route-longest-prefix", "nat-gateway-zonal", "nat-gateway-per-az"]


def test_per_az_nat_gateways() -> None:
    assert answers_of("per-az-nat.yaml") == {
        "lost-internet-if-az-fails a": [],
        "lost-internet-if-az-fails b": [],
        "lost-internet-if-az-fails c": [],
        "internet-egress app-c": True,
        "subnet-type public-c": "public",
        "problems": [],
    }


def test_nat_instance_port_forward() -> None:
    assert answers_of("nat-instance-port-forward.yaml") == {
        "subnet-type private-a": "private",
        "internet-egress db-a": True,
        "internet-ingress db-a 22": True,
        "internet-ingress db-a 5432": False,
        "problems": [],
    }


def test_vpn_ecmp_against_a_virtual_private_gateway() -> None:
    """tgw-1: t-1 has 2 tunnels up, t-2 and t-3 one each (fail list, tunnels_down) = 4 BGP
    tunnels x 1.25 Gbps; the static connection takes no part; ECMP off: one tunnel; the
    virtual private gateway: one tunnel at a time."""
    assert answers_of("vpn-ecmp.yaml") == {
        "vpn-max-throughput-gbps tgw-1": 5.0,
        "vpn-max-throughput-gbps tgw-off": 1.25,
        "vpn-max-throughput-gbps vgw-1": 1.25,
        "vpn-up t-3": True,
        "vpn-up v-2": False,
        "problems": [],
    }


def test_api_cache_backend_calls() -> None:
    """/items (TTL 60): 0 miss, 30 hit, 60 miss, 65 refresh, 70 hit = 3; /live uncached = 2;
    POST /search cached = 1; POST /orders uncached = 2; /other (TTL 120): 100, 220 = 2."""
    assert answers_of("api-cache.yaml") == {"backend-calls": 10, "problems": []}


def test_every_problem_id() -> None:
    answers = answers_of("all-problems.yaml")
    assert answers["problems"] == sorted(PROBLEM_IDS)
    assert answers["subnet-type stale-a"] == "private"


def test_every_question_word_is_exercised_by_a_fixture() -> None:
    asked = set()
    for path in FIXTURES.glob("*.yaml"):
        if not path.name.startswith(("bad-", "format-doc")):
            asked |= {question.word for question in load_scenario_file(path).questions}
    assert asked == set(QUESTIONS)


def test_answers_serialise_to_the_format_json() -> None:
    scenario = load_scenario_file(FIXTURES / "vpn-ecmp.yaml")
    first = answer_all(scenario)[0]
    data = json.loads(json.dumps(first.to_json()))
    assert list(data) == ["ask", "answer", "because", "rules"]
    assert data["ask"] == "vpn-max-throughput-gbps tgw-1"
    assert data["answer"] == 5.0
    assert all("(rule " in reason for reason in data["because"])


def test_fail_is_applied_but_the_written_network_is_kept() -> None:
    scenario = load_scenario_file(FIXTURES / "shared-nat-az-failure.yaml")
    assert scenario.network.failed_azs == {"a"}
    assert scenario.base_network.failed_azs == frozenset()
    assert scenario.network.stopped_instances == {"nat-i"}
    assert [str(failure) for failure in scenario.failures] == [
        "az a",
        "tunnel vpn-1/1",
        "instance nat-i",
    ]


def test_questions_are_normalised_and_keep_their_lines() -> None:
    scenario = load_scenario("ask:\n  - '  problems  '\n  - backend-calls\n")
    assert [(q.text, q.line) for q in scenario.questions] == [("problems", 2), ("backend-calls", 3)]
    assert scenario.title is None


def test_an_empty_file_asks_nothing() -> None:
    assert load_scenario("").questions == []
    assert check_text("# only a comment\n") == []


def test_defaults_of_the_format() -> None:
    scenario = load_scenario(
        textwrap.dedent(
            """\
            vpc: {internet_gateway: igw-1}
            route_tables: {rt: {0.0.0.0/0: igw-1}}
            subnets: {pub: {az: a, route_table: rt}}
            nat_instances: {nat-i: {subnet: pub, public_ip: true}}
            transit_gateways: {tgw: {}}
            vpn_connections: {v: {gateway: tgw}}
            api_gateway: {cache: {}}
            """
        )
    )
    net = scenario.network
    assert str(net.vpc.cidr) == "10.0.0.0/16"
    assert net.nat_instances["nat-i"].source_dest_check is True
    assert net.transit_gateways["tgw"].vpn_ecmp is True
    assert net.vpn_connections["v"].routing == "dynamic"
    assert net.vpn_connections["v"].tunnel_size == "standard"
    assert net.api_stage is not None and net.api_stage.cache_enabled and net.api_stage.ttl is None


# --------------------------------------------------------------------------- errors
def test_bad_file_reports_every_problem_with_its_line() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(FIXTURES / "bad-names-and-types.yaml", "bad.yaml")
    found = [(issue.line, issue.message) for issue in caught.value.issues]
    expected_fragments = [
        (2, "'10.0.0.1/16' has host bits set"),
        (4, "route table 'rt-nowhere' is not defined"),
        (5, "ipv6 of subnet private-b should be true or false, got 'maybe'"),
        (7, "route target 'nat-z' is not defined"),
        (7, "'10.0.0.0/33' is not a valid CIDR block"),
        (9, "unknown setting 'colour' in instance app-b"),
        (12, "bad port range '99999'"),
        (14, "action 'permit' should be allow or deny"),
        (
            16,
            "VPN gateway 'app-b' is an instance, not a transit gateway or virtual private gateway",
        ),
        (16, "routing of VPN connection vpn-1 should be static or dynamic, got 'bgp'"),
        (17, "unknown section 'wormholes'"),
        (18, "availability zone 'z' holds no subnet"),
        (18, "tunnel 'vpn-1/3' should be CONNECTION/1 or CONNECTION/2"),
        (20, "instance 'nobody' is not defined"),
        (21, "subnet-type takes SUBNET, got 0 argument(s)"),
        (22, "VPN connection 'app-b' is an instance, not a VPN connection"),
        (23, "port 'http' should be a number between 1 and 65535"),
        (24, "unknown question 'teleport'"),
    ]
    assert len(found) == len(expected_fragments)
    for (line, message), (want_line, fragment) in zip(found, expected_fragments, strict=True):
        assert line == want_line and fragment in message, (line, message)
    assert str(caught.value).splitlines()[0].startswith("bad.yaml:2: the VPC cidr")
    # an undefined security group is not an error, but it is still reported, at its line
    assert [str(warning) for warning in caught.value.warnings] == [
        "bad.yaml:10: security group 'sg-missing' of instance web-a is not defined: using "
        "AWS's defaults for a new security group (no inbound rules, all outbound traffic allowed)"
    ]


def test_yaml_syntax_error_has_a_line() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(FIXTURES / "bad-syntax.yaml")
    (issue,) = caught.value.issues
    assert issue.line == 4
    assert issue.message.startswith("YAML syntax error")
    assert str(issue).startswith(f"{FIXTURES / 'bad-syntax.yaml'}:4: ")


def test_the_format_document_example_is_accepted_with_two_warnings() -> None:
    """Verbatim, the format document's example names rt-main and sg-nat without defining them:
    AWS would supply both, so they load with a warning each, at the line that names them."""
    scenario = load_scenario_file(FIXTURES / "format-doc-example.yaml", "example.yaml")
    assert [warning.as_warning() for warning in scenario.warnings] == [
        "example.yaml:6: warning: route table 'rt-main' (the VPC's main route table) is not "
        "defined: using an implicit main route table with only the local route, as AWS creates "
        "with every VPC",
        "example.yaml:20: warning: security group 'sg-nat' of NAT instance nat-i is not "
        "defined: using AWS's defaults for a new security group (no inbound rules, all outbound "
        "traffic allowed)",
    ]
    answers = answer_all(scenario)
    assert {answer.ask: answer.answer for answer in answers} == {
        "subnet-type private-b": "private",
        "internet-egress app-b": False,
    }
    assert answers[1].rules == ["route-longest-prefix", "nat-gateway-zonal", "nat-gateway-per-az"]
    network = scenario.base_network
    assert network.vpc.main_route_table == "rt-main"
    assert network.route_tables["rt-main"].routes == ()  # only the implicit local route
    sg_nat = network.security_groups["sg-nat"]
    assert sg_nat.inbound == ()
    assert [rule.text for rule in sg_nat.outbound] == ["all 0.0.0.0/0", "all ::/0"]


def test_a_subnet_without_a_route_table_uses_the_implicit_main_one() -> None:
    scenario = load_scenario(
        textwrap.dedent(
            """            vpc: {internet_gateway: igw-1, main_route_table: rt-main}
            subnets:
              quiet: {az: a}
              named: {az: a, route_table: rt-main}
            instances: {i: {subnet: quiet, public_ip: true}}
            ask: [subnet-type quiet, subnet-type named, internet-egress i]
            """
        )
    )
    assert [(w.line, w.message.split(":")[0]) for w in scenario.warnings] == [
        (1, "route table 'rt-main' (the VPC's main route table) is not defined")
    ]
    answers = answer_all(scenario)
    assert [answer.answer for answer in answers] == ["private", "private", False]
    assert answers[2].because == [
        "quiet names no route table, so it uses the main route table rt-main "
        "(rule subnet-main-route-table)",
        "rt-main of quiet has no route that matches 8.8.8.8 (rule route-longest-prefix)",
    ]


def test_an_undefined_security_group_is_a_warning_with_its_line_and_aws_defaults() -> None:
    scenario = load_scenario(
        textwrap.dedent(
            """            vpc: {internet_gateway: igw-1}
            route_tables: {rt: {0.0.0.0/0: igw-1}}
            subnets: {pub: {az: a, route_table: rt}}
            security_groups: {sg-web: {inbound: ["tcp/443 0.0.0.0/0"]}}
            instances:
              web: {subnet: pub, public_ip: true,
                    security_groups: [sg-wbe]}
              api: {subnet: pub, public_ip: true, security_groups: [sg-wbe]}
            ask: [internet-egress web, internet-ingress web 443]
            """
        ),
        "s.yaml",
    )
    assert [str(warning) for warning in scenario.warnings] == [
        "s.yaml:7: security group 'sg-wbe' of instance web is not defined (did you mean "
        "'sg-web'?): using AWS's defaults for a new security group (no inbound rules, all "
        "outbound traffic allowed)",
        "s.yaml:8: security group 'sg-wbe' of instance api is not defined (did you mean "
        "'sg-web'?): using AWS's defaults for a new security group (no inbound rules, all "
        "outbound traffic allowed)",
    ]
    egress, ingress = answer_all(scenario)
    assert egress.answer is True  # all outbound traffic allowed
    assert ingress.answer is False  # no inbound rules


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "subnets: {s: {az: a}}\ninstances: {i: {subnet: s}}\nask: ['internet-egress nobody']\n",
            3,
            "instance 'nobody' is not defined (defined: i)",
        ),
        ("instances: {i: {subnet: nowhere}}\n", 1, "subnet 'nowhere' is not defined"),
        ("route_tables: {rt: {0.0.0.0/0: igw-9}}\n", 1, "route target 'igw-9' is not defined"),
        (
            "nat_gateways: {n: {subnet: nowhere, elastic_ip: e}}\n",
            1,
            "subnet 'nowhere' is not defined",
        ),
        (
            "security_groups: {a: {inbound: ['tcp/22 sg-ghost']}}\n",
            1,
            "inbound source 'sg-ghost' is not defined (defined: a)",
        ),
        (
            "vpc: {main_route_table: s}\nsubnets: {s: {az: a}}\n",
            1,
            "route table 's' is a subnet, not a route table",
        ),
        (
            "vpc: {main_route_table: rt-main}\nsubnets: {s: {az: a, route_table: rt-mian}}\n",
            2,
            "route table 'rt-mian' is not defined (did you mean 'rt-main'?)",
        ),
        (
            "subnets: {s: {az: a}}\ninstances: {i: {subnet: s, security_groups: [s]}}\n",
            2,
            "security group 's' is a subnet, not a security group",
        ),
    ],
)
def test_every_other_undefined_name_is_still_an_error(text: str, line: int, message: str) -> None:
    assert (line, message) in issues_of(text)


def test_warnings_found_before_an_error_travel_with_the_error() -> None:
    text = (
        "vpc: {main_route_table: rt-main}\nsubnets: {s: {az: a}}\n"
        "instances: {i: {subnet: s, security_groups: [sg-x]}}\nask: ['internet-egress nobody']\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(text)
    assert [issue.line for issue in caught.value.issues] == [4]
    assert [warning.line for warning in caught.value.warnings] == [1, 3]


def test_check_prints_warnings_on_stderr_and_exits_0() -> None:
    from click.testing import CliRunner

    from studytool.cli.main import cli

    example = FIXTURES / "format-doc-example.yaml"
    result = CliRunner().invoke(cli, ["check", str(example), "--json"])
    assert result.exit_code == 0
    assert [line.split(": warning: ")[0] for line in result.stderr.splitlines()] == [
        f"{example}:6",
        f"{example}:20",
    ]
    data = json.loads(result.stdout)
    assert list(data) == ["file", "title", "answers"]
    assert [answer["answer"] for answer in data["answers"]] == ["private", False]


def test_line_offset_and_display_name_for_blocks_inside_notes() -> None:
    block = "subnets:\n  a: {az: a, route_table: nope}\n"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(block, "AWS/Networking/NAT Gateway.md", line_offset=40)
    assert [str(issue) for issue in caught.value.issues] == [
        "AWS/Networking/NAT Gateway.md:42: route table 'nope' is not defined"
    ]
    with pytest.raises(ScenarioError) as syntax:
        load_scenario("a: [\n", "note.md", line_offset=10)
    assert syntax.value.issues[0].line > 10


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("- just\n- a list\n", 1, "the scenario should be a mapping"),
        ("subnets: [a, b]\n", 1, "subnets should be a mapping"),
        (
            "subnets:\n  a: {az: a}\n  a: {az: b}\n",
            3,
            "'a' appears twice in subnets (first on line 2)",
        ),
        (
            "subnets:\n  a: {az: a}\nroute_tables:\n  a: {}\n",
            4,
            "the name 'a' is already used by a subnet on line 2",
        ),
        ("subnets:\n  local: {az: a}\n", 2, "'local' is reserved"),
        ("subnets:\n  a: {route_table: r}\n", 2, "subnet a needs 'az'"),
        ("subnets:\n  a: {az: a, cidr: 192.168.0.0/24}\n", 2, "outside the VPC CIDR"),
        (
            "subnets:\n  a: {az: a}\n  b: {az: a}\n"
            "network_acls:\n  x: {subnets: [a]}\n  y: {subnets: [a]}\n",
            6,
            "subnet 'a' already uses network ACL x",
        ),
        (
            "network_acls:\n"
            "  x: {inbound: ['100 allow all 0.0.0.0/0', '100 deny all 0.0.0.0/0']}\n",
            2,
            "inbound rule number 100 of network ACL x is used twice",
        ),
        (
            "subnets: {a: {az: a}}\nnat_gateways:\n"
            "  n1: {subnet: a, elastic_ip: e}\n  n2: {subnet: a, elastic_ip: e}\n",
            4,
            "Elastic IP 'e' is already associated with n1",
        ),
        (
            "route_tables:\n  r: {0.0.0.0/0: local}\n",
            2,
            "only the VPC CIDR 10.0.0.0/16 can target 'local'",
        ),
        ("vpc: {cidr: '::/0'}\n", 1, "should be an IPv4 CIDR block"),
        ("api_gateway:\n  cache: {ttl: 1.5}\n", 2, "cache ttl (seconds) should be a whole number"),
        ("api_gateway:\n  methods: {'/items': {}}\n", 2, "should be 'METHOD /path'"),
        (
            "api_gateway:\n  methods: {'GET /items?page=2': {ttl: 60}}\n",
            2,
            "method override 'GET /items?page=2' names a query string",
        ),
        ("api_gateway:\n  requests:\n    - [0]\n", 3, "a request should be [seconds"),
        (
            "api_gateway:\n  requests:\n    - [soon, GET /a]\n",
            3,
            "the request time (seconds) should be a number",
        ),
        (
            "api_gateway:\n  requests:\n    - [0, GET /a]\n    - [.nan, GET /a]\n",
            4,
            "the request time (seconds) should be a finite number, got .nan",
        ),
        ("api_gateway:\n  cache: {size: .inf}\n", 2, "cache size (GB) should be a finite number"),
        (
            "transit_gateways: {t: {}}\nvpn_connections:\n  v: {gateway: t, tunnels_down: 3}\n",
            3,
            "0, 1 or 2",
        ),
        ("customer_gateways:\n  c: {ip: 300.1.1.1}\n", 2, "not a valid IP address"),
        ("ask: [internet-egress]\n", 1, "internet-egress takes HOST [IPV4], got 0 argument(s)"),
        (
            "subnets: {s: {az: a}}\ninstances: {i: {subnet: s}}\nask: ['internet-egress i ::1']\n",
            3,
            "not an IPv4 address",
        ),
        ("ask: {problems: yes}\n", 1, "ask should be a list"),
        ("title: [a, b]\n", 1, "title should be a single value, not a list"),
    ],
)
def test_bad_input_is_reported_at_its_line(text: str, line: int, fragment: str) -> None:
    found = issues_of(text)
    assert any(got_line == line and fragment in message for got_line, message in found), found


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("!!int abc", "az of subnet public-a: 'abc' is not a valid !!int value"),
        ("!!float x", "'x' is not a valid !!float value"),
        ("!!bool maybe", "'maybe' is not a valid !!bool value"),
        ("!!timestamp 2001-13-45", "'2001-13-45' is not a valid !!timestamp value"),
        ("!!binary abc", "'abc' is not a valid !!binary value"),
        ("!!binary YWJj", "az of subnet public-a should be a name or text, got binary data"),
        ("!foo a", "has the YAML tag !foo, which scenario files do not use"),
    ],
)
def test_a_value_whose_yaml_tag_does_not_fit_is_reported_at_its_line(
    value: str, fragment: str
) -> None:
    text = f"subnets:\n  public-a: {{az: {value}}}\n  public-b: {{az: b, cidr: 10.0.999.0/24}}\n"
    found = issues_of(text)
    assert any(line == 2 and fragment in message for line, message in found), found
    assert any(line == 3 and "10.0.999.0/24" in message for line, message in found), found


def test_a_mapping_key_with_an_unknown_tag_is_reported_at_its_line() -> None:
    found = issues_of("route_tables:\n  rt: {!!binary: igw-1}\n")
    assert [line for line, _ in found] == [2], found
    assert "YAML tag !!binary" in found[0][1] or "!!binary value" in found[0][1], found


def test_a_whole_number_written_with_a_decimal_point_and_loose_spacing_are_accepted() -> None:
    scenario = load_scenario(
        "api_gateway:\n"
        "  cache: {enabled: true, ttl: 300.0}\n"
        "  methods: {'get  /items': {ttl: 60.0}}\n"
        "  requests: [[0, 'GET  /items'], [30, GET /items]]\n"
        "ask: [backend-calls]\n"
    )
    stage = scenario.network.api_stage
    assert stage is not None and stage.ttl == 300 and isinstance(stage.ttl, int)
    assert list(stage.methods) == ["GET /items"]
    assert [answer.answer for answer in answer_all(scenario)] == [1]


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario_file(path, "latin.yaml")
    assert caught.value.issues == [Issue("latin.yaml", 1, "the file is not UTF-8 text")]
