"""Scenario files: YAML text → a :class:`~studytool.model.topology.Network` plus questions,
with precise ``FILE:LINE: what is wrong`` errors, and the model's answers to the questions.

The YAML is composed to nodes (not loaded to plain values) so that every key and value knows
its line. All problems of a file are collected and raised together as :class:`ScenarioError`.
The same loader reads fenced ```` ```scenario ```` blocks inside notes: pass the block's text,
the note's display name and ``line_offset`` = the number of lines above the block's first line
(the line of the opening fence), so reported lines are lines of the note.

The format is specified in ``shared/scenario-format.md``; additions accepted here: subnet
``cidr``, ``tunnels_down`` as a list of tunnel numbers, ``elastic_ip: true``, port forward
``to_port``, ``api_gateway.cache.size`` (GB), transit gateway ``vpc_attachments``,
``direct_connect_gateway`` and ``shared_with``, customer gateway ``bgp_asn``, a query string in
a request's path (``GET /items?page=2``: as on AWS without cache key parameters, it is not part
of the cache key).

Two undefined names are accepted the AWS way, with a warning (``Scenario.warnings``) rather than
an error: a ``vpc.main_route_table`` that no ``route_tables`` entry defines is the VPC's implicit
main route table, holding only the local route (AWS creates one with every VPC; subnets may
also name it); a security group named by an instance or NAT instance but not defined gets AWS's
defaults for a new security group (no inbound rules, all outbound traffic allowed). Every other
undefined name is an error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from studytool.model.addressing import parse_address, parse_network
from studytool.model.answer import Answer
from studytool.model.failures import (
    AzOutage,
    Failure,
    FailureSyntaxError,
    InstanceStopped,
    TunnelDown,
    parse_failure,
)
from studytool.model.filters import FilterSyntaxError, parse_acl_rule, parse_sg_rule
from studytool.model.queries import QUESTIONS, QuestionKind
from studytool.model.records import Record
from studytool.model.topology import (
    LOCAL,
    ApiRequest,
    ApiStage,
    MethodSettings,
    ModelError,
    Network,
    NetworkAcl,
    PortForward,
    SecurityGroup,
    Vpc,
)
from studytool.yaml_errors import YAML_READ_ERRORS

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"

SECTIONS = (
    "title", "vpc", "internet_gateways", "subnets", "route_tables", "nat_gateways",
    "nat_instances", "instances", "security_groups", "network_acls", "transit_gateways",
    "virtual_private_gateways", "customer_gateways", "vpn_connections", "api_gateway",
    "fail", "ask",
)  # fmt: skip

#: named sections -> the kind of name they declare
NAMED_SECTIONS: dict[str, str] = {
    "internet_gateways": "internet-gateway",
    "subnets": "subnet",
    "route_tables": "route-table",
    "nat_gateways": "nat-gateway",
    "nat_instances": "nat-instance",
    "instances": "instance",
    "security_groups": "security-group",
    "network_acls": "network-acl",
    "transit_gateways": "transit-gateway",
    "virtual_private_gateways": "virtual-private-gateway",
    "customer_gateways": "customer-gateway",
    "vpn_connections": "vpn-connection",
}

ROUTE_TARGET_KINDS = (
    "internet-gateway", "egress-only-internet-gateway", "nat-gateway", "nat-instance",
    "instance", "transit-gateway", "virtual-private-gateway",
)  # fmt: skip

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", "*")

#: the outbound rules AWS gives a new security group: all IPv4 and all IPv6 traffic
NEW_GROUP_OUTBOUND = ("all 0.0.0.0/0", "all ::/0")


class Issue(NamedTuple):
    """One thing wrong with a scenario, at a line."""

    filename: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.message}"

    def as_warning(self) -> str:
        """``FILE:LINE: warning: what`` (a warning does not stop the scenario from loading)."""
        return f"{self.filename}:{self.line}: warning: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot be read; ``issues`` lists every problem found, in line order,
    and ``warnings`` what was accepted with a warning before the errors stopped the reading."""

    def __init__(self, issues: list[Issue], warnings: list[Issue] | None = None) -> None:
        self.issues = sorted(dict.fromkeys(issues), key=lambda issue: issue.line)
        self.warnings = sorted(dict.fromkeys(warnings or ()), key=lambda issue: issue.line)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class Question(NamedTuple):
    """One ``ask`` entry: its normalised text, question word, checked arguments and line."""

    text: str
    word: str
    args: tuple[object, ...]
    line: int


class Scenario(Record):
    """A loaded scenario: the network with the ``fail`` list applied, and its questions."""

    __slots__ = (
        "base_network", "failures", "filename", "network", "questions", "title", "warnings",
    )  # fmt: skip

    def __init__(
        self,
        filename: str,
        title: str | None,
        network: Network,
        base_network: Network,
        failures: tuple[Failure, ...] = (),
        questions: list[Question] | None = None,
        warnings: list[Issue] | None = None,
    ) -> None:
        self.filename = filename
        self.title = title
        #: the network the questions are asked about (``fail`` applied)
        self.network = network
        #: the network as written, before the ``fail`` list
        self.base_network = base_network
        self.failures = failures
        self.questions: list[Question] = list(questions or ())
        #: names accepted the AWS way (an implicit main route table, a default security
        #: group), in line order; print them with :meth:`Issue.as_warning`
        self.warnings: list[Issue] = list(warnings or ())


class ScenarioAnswer(NamedTuple):
    """The model's answer to one question of a scenario."""

    ask: str
    answer: object
    because: list[str]
    rules: list[str]
    line: int
    unit: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "ask": self.ask,
            "answer": self.answer,
            "because": self.because,
            "rules": self.rules,
        }


# =========================================================================== public API
def load_scenario(text: str, filename: str = "<scenario>", line_offset: int = 0) -> Scenario:
    """Parse scenario YAML; raise :class:`ScenarioError` listing every problem with its line."""
    return _ScenarioReader(filename, line_offset).read(text)


def load_scenario_file(path: str | Path, display_name: str | None = None) -> Scenario:
    """Read and parse a scenario file (UTF-8); errors name ``display_name`` or the path."""
    return load_scenario_bytes(Path(path).read_bytes(), display_name or str(path))


def load_scenario_bytes(data: bytes, filename: str) -> Scenario:
    """Parse scenario YAML given as bytes (a file's, or standard input's): UTF-8, else an error."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([Issue(filename, 1, "the file is not UTF-8 text")]) from None
    return load_scenario(text, filename)


def answer_question(scenario: Scenario, question: Question) -> ScenarioAnswer:
    """The model's answer to one question of the scenario."""
    try:
        answer: Answer = QUESTIONS[question.word].run(scenario.network, *question.args)
    except (ModelError, ValueError) as error:
        issue = Issue(scenario.filename, question.line, f"cannot answer {question.text!r}: {error}")
        raise ScenarioError([issue]) from None
    return ScenarioAnswer(
        question.text,
        answer.value,
        list(answer.because),
        list(answer.rules),
        question.line,
        answer.unit,
    )


def answer_all(scenario: Scenario) -> list[ScenarioAnswer]:
    """Answers to every question of the scenario, in the order asked."""
    return [answer_question(scenario, question) for question in scenario.questions]


def check_text(
    text: str, filename: str = "<scenario>", line_offset: int = 0
) -> list[ScenarioAnswer]:
    """Load and answer in one step (raises :class:`ScenarioError`)."""
    return answer_all(load_scenario(text, filename, line_offset))


# =========================================================================== the reader
class _Skip(Exception):
    """An entry with an error already recorded: leave it out and go on."""


class _ScenarioReader:
    def __init__(self, filename: str, line_offset: int) -> None:
        self.filename = filename
        self.offset = line_offset
        self.issues: list[Issue] = []
        self.warnings: list[Issue] = []
        #: the vpc.main_route_table name that no route_tables entry defines, if any
        self.implicit_main_table: str | None = None
        self.constructor = SafeConstructor()
        self.names: dict[str, tuple[str, int]] = {}
        self.azs: set[str] = set()
        self.elastic_ips: dict[str, tuple[str, int]] = {}
        self.net = Network()

    # ------------------------------------------------------------------ plumbing
    def line(self, node: Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def error(self, node: Node | None, message: str) -> None:
        line = self.line(node) if node is not None else 1 + self.offset
        self.issues.append(Issue(self.filename, line, message))

    def warn(self, node: Node, message: str) -> None:
        self.warnings.append(Issue(self.filename, self.line(node), message))

    def fail(self, node: Node, message: str) -> _Skip:
        self.error(node, message)
        return _Skip()

    def value(self, node: Node, what: str) -> object:
        if not isinstance(node, ScalarNode):
            shape = "a list" if isinstance(node, SequenceNode) else "a mapping"
            raise self.fail(node, f"{what} should be a single value, not {shape}")
        try:
            return self.constructor.construct_object(node)
        except YAML_READ_ERRORS:
            raise self.fail(node, _unreadable(what, node)) from None

    def text(self, node: Node, what: str) -> str:
        if isinstance(node, ScalarNode) and node.tag == _STR_TAG:
            return node.value
        value = self.value(node, what)
        if isinstance(value, bytes):
            raise self.fail(node, f"{what} should be a name or text, got binary data")
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            raise self.fail(node, f"{what} should be a name or text, got {_show(value)}")
        return str(value)

    def flag(self, node: Node, what: str) -> bool:
        value = self.value(node, what)
        if not isinstance(value, bool):
            raise self.fail(node, f"{what} should be true or false, got {_show(value)}")
        return value

    def integer(self, node: Node, what: str) -> int:
        value = self.value(node, what)
        if isinstance(value, float) and value.is_integer():
            return int(value)  # 300.0 is the whole number 300
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(node, f"{what} should be a whole number, got {_show(value)}")
        return value

    def number(self, node: Node, what: str) -> float:
        value = self.value(node, what)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(node, f"{what} should be a number, got {_show(value)}")
        if not math.isfinite(value):  # YAML's .nan and .inf
            raise self.fail(node, f"{what} should be a finite number, got {node.value}")
        return float(value)

    def items(self, node: Node, what: str) -> list[tuple[str, Node, Node]]:
        """(key text, key node, value node) of a mapping; duplicate keys are errors."""
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{what} should be a mapping (key: value), got {_shape(node)}")
        seen: dict[str, int] = {}
        result = []
        for key_node, value_node in node.value:
            try:
                key = self.text(key_node, f"a key of {what}")
            except _Skip:
                continue
            if key in seen:
                self.error(key_node, f"{key!r} appears twice in {what} (first on line {seen[key]})")
                continue
            seen[key] = self.line(key_node)
            result.append((key, key_node, value_node))
        return result

    def fields(
        self, node: Node, what: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Node]:
        """The keys of a settings mapping, checked against ``allowed`` and ``required``."""
        found: dict[str, Node] = {}
        for key, key_node, value_node in self.items(node, what):
            if key not in allowed:
                self.error(
                    key_node, f"unknown setting {key!r} in {what}{_hint(key, allowed, 'expected')}"
                )
                continue
            found[key] = value_node
        for key in required:
            if key not in found:
                self.error(node, f"{what} needs {key!r}")
        return found

    def sequence(self, node: Node, what: str) -> list[Node]:
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, SequenceNode):
            raise self.fail(node, f"{what} should be a list, got {_shape(node)}")
        return list(node.value)

    def names_list(self, node: Node, what: str) -> list[tuple[str, Node]]:
        result = []
        for item in self.sequence(node, what):
            try:
                result.append((self.text(item, f"an entry of {what}"), item))
            except _Skip:
                continue
        return result

    def each(
        self, entries: list[tuple[str, Node, Node]], build: Callable[[str, Node, Node], None]
    ) -> None:
        for name, key_node, value_node in entries:
            try:
                build(name, key_node, value_node)
            except _Skip:
                continue

    # ------------------------------------------------------------------ names
    def declare(self, name: str, kind: str, node: Node) -> None:
        if name == LOCAL:
            self.error(node, "'local' is reserved for the VPC's local route; choose another name")
            return
        if name in self.names:
            other_kind, other_line = self.names[name]
            if other_kind == kind:
                return  # the attached gateway listed again, or a duplicate key (reported by items)
            self.error(
                node,
                f"the name {name!r} is already used by {_a(_kind(other_kind))} "
                f"on line {other_line}",
            )
            return
        self.names[name] = (kind, self.line(node))

    def refer(self, name: str, node: Node, kinds: tuple[str, ...], role: str) -> str:
        """Check that ``name`` names one of ``kinds``; record an error (and skip) otherwise."""
        found = self.names.get(name)
        if found is None:
            known = sorted(n for n, (kind, _line) in self.names.items() if kind in kinds)
            hint = _hint(name, known, "defined")
            raise self.fail(node, f"{role} {name!r} is not defined{hint}")
        if found[0] not in kinds:
            expected = " or ".join(_kind(kind) for kind in kinds)
            raise self.fail(node, f"{role} {name!r} is {_a(_kind(found[0]))}, not {_a(expected)}")
        return name

    def claim_elastic_ip(self, eip: str, owner: str, node: Node) -> None:
        if eip in self.elastic_ips:
            other, line = self.elastic_ips[eip]
            self.error(node, f"Elastic IP {eip!r} is already associated with {other} (line {line})")
            return
        self.elastic_ips[eip] = (owner, self.line(node))

    def elastic_ip(self, node: Node, owner: str) -> str | None:
        value = self.value(node, f"elastic_ip of {owner}")
        if value is True:
            eip = f"{owner}-eip"
        elif value is False or value is None:
            return None
        elif isinstance(value, (str, int)):
            eip = str(value)
        else:
            raise self.fail(
                node, f"elastic_ip of {owner} should be a name or true, got {_show(value)}"
            )
        self.claim_elastic_ip(eip, owner, node)
        return eip

    # ------------------------------------------------------------------ reading
    def read(self, text: str) -> Scenario:
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = (mark.line + 1 if mark else 1) + self.offset
            problem = error.problem or error.context or "cannot be parsed"
            raise ScenarioError(
                [Issue(self.filename, line, f"YAML syntax error: {problem}")]
            ) from None
        except yaml.YAMLError as error:
            raise ScenarioError(
                [Issue(self.filename, 1 + self.offset, f"YAML error: {error}")]
            ) from None
        sections = self.sections(root)
        self.declare_names(sections)
        title = self.read_title(sections.get("title"))
        self.read_topology(sections)
        failures = self.read_failures(sections.get("fail"))
        network = self.net.with_failures(*failures) if failures else self.net
        questions = self.read_questions(sections.get("ask"))
        warnings = sorted(self.warnings, key=lambda issue: issue.line)
        if self.issues:
            raise ScenarioError(self.issues, warnings)
        return Scenario(
            self.filename, title, network, self.net, tuple(failures), questions, warnings
        )

    def sections(self, root: Node | None) -> dict[str, Node]:
        if root is None:
            return {}
        try:
            entries = self.items(root, "the scenario")
        except _Skip:
            return {}
        found: dict[str, Node] = {}
        for key, key_node, value_node in entries:
            if key not in SECTIONS:
                self.error(
                    key_node, f"unknown section {key!r}{_hint(key, SECTIONS, 'expected one of')}"
                )
                continue
            found[key] = value_node
        return found

    def declare_names(self, sections: dict[str, Node]) -> None:
        """First pass: every name and availability zone, so references may point forward."""
        vpc = sections.get("vpc")
        gateway_kinds = {
            "internet_gateway": "internet-gateway",
            "egress_only_internet_gateway": "egress-only-internet-gateway",
        }
        for key, value_node in _raw_pairs(vpc):
            if key in gateway_kinds and isinstance(value_node, ScalarNode) and value_node.value:
                self.declare(str(value_node.value), gateway_kinds[key], value_node)
        for section, kind in NAMED_SECTIONS.items():
            node = sections.get(section)
            if node is None:
                continue
            if not isinstance(node, MappingNode):
                continue  # reported when the section is read
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    self.declare(str(key_node.value), kind, key_node)
                if section == "subnets":
                    for key, az_node in _raw_pairs(value_node):
                        if key == "az" and isinstance(az_node, ScalarNode):
                            self.declare_az(az_node)
        self.declare_implicit_main_table(vpc)

    def declare_az(self, node: ScalarNode) -> None:
        with suppress(*YAML_READ_ERRORS):  # reported where the subnet itself is read
            self.azs.add(str(self.constructor.construct_object(node)))

    def declare_implicit_main_table(self, vpc: Node | None) -> None:
        """A main route table the VPC names but no route_tables entry defines: the VPC's
        implicit one (declared after every other name, so a clash is still an error)."""
        main = dict(_raw_pairs(vpc)).get("main_route_table")
        if not isinstance(main, ScalarNode) or main.tag != _STR_TAG or not main.value:
            return
        if main.value in self.names or main.value == LOCAL:
            return
        self.declare(main.value, "route-table", main)
        self.implicit_main_table = main.value

    def read_title(self, node: Node | None) -> str | None:
        if node is None:
            return None
        try:
            return self.text(node, "title")
        except _Skip:
            return None

    def read_topology(self, sections: dict[str, Node]) -> None:
        readers: tuple[tuple[str, Callable[[Node], None]], ...] = (
            ("vpc", self.read_vpc),
            ("internet_gateways", self.read_internet_gateways),
            ("route_tables", self.read_route_tables),
            ("subnets", self.read_subnets),
            ("security_groups", self.read_security_groups),
            ("nat_gateways", self.read_nat_gateways),
            ("instances", self.read_instances),
            ("nat_instances", self.read_nat_instances),
            ("network_acls", self.read_network_acls),
            ("transit_gateways", self.read_transit_gateways),
            ("virtual_private_gateways", self.read_virtual_private_gateways),
            ("customer_gateways", self.read_customer_gateways),
            ("vpn_connections", self.read_vpn_connections),
            ("api_gateway", self.read_api_gateway),
        )
        for section, reader in readers:
            node = sections.get(section)
            if node is None:
                continue
            try:
                reader(node)
            except _Skip:
                continue

    # ------------------------------------------------------------------ VPC and routing
    def read_vpc(self, node: Node) -> None:
        allowed = ("cidr", "internet_gateway", "egress_only_internet_gateway", "main_route_table")
        fields = self.fields(node, "vpc", allowed)
        vpc = Vpc()
        if "cidr" in fields:
            vpc.cidr = self.cidr(fields["cidr"], "the VPC cidr", version=4)
        for key in ("internet_gateway", "egress_only_internet_gateway"):
            if key in fields:
                with _skipping():
                    setattr(vpc, key, self.text(fields[key], f"vpc {key}"))
        if "main_route_table" in fields:
            with _skipping():
                name = self.text(fields["main_route_table"], "vpc main_route_table")
                vpc.main_route_table = self.refer(
                    name, fields["main_route_table"], ("route-table",), "route table"
                )
                if name == self.implicit_main_table:
                    self.net.add_route_table(name, {})
                    self.warn(
                        fields["main_route_table"],
                        f"route table {name!r} (the VPC's main route table) is not defined: "
                        "using an implicit main route table with only the local route, "
                        "as AWS creates with every VPC",
                    )
        self.net.vpc = vpc
        if vpc.internet_gateway:
            self.net.internet_gateways.add(vpc.internet_gateway)

    def cidr(self, node: Node, what: str, version: int | None = None) -> object:
        text = self.text(node, what)
        try:
            network = parse_network(text)
        except ValueError as error:
            raise self.fail(node, f"{what}: {error}") from None
        if version is not None and network.version != version:
            raise self.fail(node, f"{what} should be an IPv{version} CIDR block, got {text}")
        return network

    def read_internet_gateways(self, node: Node) -> None:
        for name, _key_node, value_node in self.items(node, "internet_gateways"):
            with _skipping():
                self.fields(value_node, f"internet gateway {name}", ())
            self.net.internet_gateways.add(name)

    def read_route_tables(self, node: Node) -> None:
        self.each(self.items(node, "route_tables"), self.read_route_table)

    def read_route_table(self, name: str, _key: Node, node: Node) -> None:
        routes: dict[str, str] = {}
        for destination, dest_node, target_node in self.items(node, f"route table {name}"):
            try:
                network = self.cidr(dest_node, f"route destination in {name}")
                target = self.text(target_node, f"the target of route {destination} in {name}")
                if target != LOCAL:
                    self.refer(target, target_node, ROUTE_TARGET_KINDS, "route target")
                elif network != self.net.vpc.cidr:
                    raise self.fail(
                        target_node, f"only the VPC CIDR {self.net.vpc.cidr} can target 'local'"
                    )
            except _Skip:
                continue
            routes[str(network)] = target
        self.net.add_route_table(name, routes)

    def read_subnets(self, node: Node) -> None:
        self.each(self.items(node, "subnets"), self.read_subnet)

    def read_subnet(self, name: str, _key: Node, node: Node) -> None:
        what = f"subnet {name}"
        fields = self.fields(node, what, ("az", "route_table", "ipv6", "cidr"), ("az",))
        if "az" not in fields:
            raise _Skip()
        az = self.text(fields["az"], f"az of {what}")
        table = None
        if "route_table" in fields:
            with _skipping():
                table_name = self.text(fields["route_table"], f"route_table of {what}")
                table = self.refer(
                    table_name, fields["route_table"], ("route-table",), "route table"
                )
        ipv6 = self.flag(fields["ipv6"], f"ipv6 of {what}") if "ipv6" in fields else False
        cidr = None
        if "cidr" in fields:
            cidr = self.cidr(fields["cidr"], f"cidr of {what}", version=4)
            if not cidr.subnet_of(self.net.vpc.cidr):  # type: ignore[attr-defined]
                raise self.fail(
                    fields["cidr"], f"{cidr} of {what} is outside the VPC CIDR {self.net.vpc.cidr}"
                )
        self.net.add_subnet(name, az, table, ipv6, str(cidr) if cidr else None)

    # ------------------------------------------------------------------ filters
    def read_security_groups(self, node: Node) -> None:
        self.each(self.items(node, "security_groups"), self.read_security_group)

    def read_security_group(self, name: str, _key: Node, node: Node) -> None:
        what = f"security group {name}"
        fields = self.fields(node, what, ("inbound", "outbound"))
        rules = {}
        for direction in ("inbound", "outbound"):
            rules[direction] = tuple(
                self.filter_rules(fields.get(direction), f"{direction} of {what}", parse_sg_rule)
            )
        for rule_list, direction in (
            (rules["inbound"], "inbound"),
            (rules["outbound"], "outbound"),
        ):
            for rule, rule_node in rule_list:
                if rule.group is not None:
                    with _skipping():
                        self.refer(
                            rule.group, rule_node, ("security-group",), f"{direction} source"
                        )
        self.net.security_groups[name] = SecurityGroup(
            name, tuple(r for r, _n in rules["inbound"]), tuple(r for r, _n in rules["outbound"])
        )

    def filter_rules(self, node: Node | None, what: str, parse: Callable) -> Iterator:
        if node is None:
            return
        for item in self.sequence(node, what):
            try:
                text = self.text(item, f"a rule of {what}")
                yield parse(text), item
            except FilterSyntaxError as error:
                self.error(item, f"{what}: {error}")
            except _Skip:
                continue

    def read_network_acls(self, node: Node) -> None:
        self.each(self.items(node, "network_acls"), self.read_network_acl)

    def read_network_acl(self, name: str, _key: Node, node: Node) -> None:
        what = f"network ACL {name}"
        fields = self.fields(node, what, ("subnets", "inbound", "outbound"))
        subnets = []
        for subnet, subnet_node in (
            self.names_list(fields["subnets"], f"subnets of {what}") if "subnets" in fields else []
        ):
            with _skipping():
                self.refer(subnet, subnet_node, ("subnet",), "subnet")
                owner = self.net.acl_of(subnet)
                if owner is not None:
                    raise self.fail(
                        subnet_node,
                        f"subnet {subnet!r} already uses network ACL {owner.name} (one per subnet)",
                    )
                subnets.append(subnet)
        directions = {}
        for direction in ("inbound", "outbound"):
            parsed = list(
                self.filter_rules(fields.get(direction), f"{direction} of {what}", parse_acl_rule)
            )
            numbers: dict[int, int] = {}
            for rule, rule_node in parsed:
                if rule.number in numbers:
                    self.error(
                        rule_node,
                        f"{direction} rule number {rule.number} of {what} is used twice "
                        f"(first on line {numbers[rule.number]})",
                    )
                numbers[rule.number] = self.line(rule_node)
            directions[direction] = tuple(rule for rule, _n in parsed)
        self.net.network_acls[name] = NetworkAcl(
            name, tuple(subnets), directions["inbound"], directions["outbound"]
        )
        self.net.invalidate()

    # ------------------------------------------------------------------ NAT and instances
    def read_nat_gateways(self, node: Node) -> None:
        self.each(self.items(node, "nat_gateways"), self.read_nat_gateway)

    def read_nat_gateway(self, name: str, _key: Node, node: Node) -> None:
        what = f"NAT gateway {name}"
        allowed = ("subnet", "elastic_ip", "type", "connectivity", "secondary_elastic_ips")
        fields = self.fields(node, what, allowed, ("subnet",))
        subnet = self.subnet_ref(fields, what)
        connectivity = "public"
        type_node = fields.get("type") or fields.get("connectivity")
        if type_node is not None:
            connectivity = self.text(type_node, f"type of {what}")
            if connectivity not in ("public", "private"):
                raise self.fail(
                    type_node, f"type of {what} should be public or private, got {connectivity!r}"
                )
        eip = self.elastic_ip(fields["elastic_ip"], name) if "elastic_ip" in fields else None
        secondary = []
        if "secondary_elastic_ips" in fields:
            for eip_name, eip_node in self.names_list(
                fields["secondary_elastic_ips"], f"secondary_elastic_ips of {what}"
            ):
                self.claim_elastic_ip(eip_name, name, eip_node)
                secondary.append(eip_name)
        self.net.add_nat_gateway(name, subnet, eip, connectivity, secondary)

    def subnet_ref(self, fields: dict[str, Node], what: str) -> str:
        if "subnet" not in fields:
            raise _Skip()
        subnet = self.text(fields["subnet"], f"subnet of {what}")
        return self.refer(subnet, fields["subnet"], ("subnet",), "subnet")

    def security_group_refs(self, fields: dict[str, Node], what: str) -> tuple[str, ...] | None:
        if "security_groups" not in fields:
            return None
        groups = []
        for group, group_node in self.names_list(
            fields["security_groups"], f"security_groups of {what}"
        ):
            with _skipping():
                if group not in self.names and group != LOCAL:
                    groups.append(self.new_security_group(group, group_node, what))
                    continue
                groups.append(self.refer(group, group_node, ("security-group",), "security group"))
        return tuple(groups)

    def new_security_group(self, name: str, node: Node, what: str) -> str:
        """A security group named by ``what`` but not defined: AWS's defaults for a new group
        (no inbound rules, all outbound traffic allowed), with a warning at each use."""
        if name not in self.net.security_groups:
            self.net.add_security_group(name, inbound=(), outbound=NEW_GROUP_OUTBOUND)
        known = [n for n, (kind, _line) in self.names.items() if kind == "security-group"]
        hint = _hint(name, known, "defined")
        near_miss = hint if hint.startswith(" (did you mean") else ""
        self.warn(
            node,
            f"security group {name!r} of {what} is not defined{near_miss}: using AWS's defaults "
            "for a new security group (no inbound rules, all outbound traffic allowed)",
        )
        return name

    def read_instances(self, node: Node) -> None:
        self.each(self.items(node, "instances"), self.read_instance)

    def read_instance(self, name: str, _key: Node, node: Node) -> None:
        what = f"instance {name}"
        allowed = ("subnet", "public_ip", "elastic_ip", "ipv6", "security_groups")
        fields = self.fields(node, what, allowed, ("subnet",))
        subnet = self.subnet_ref(fields, what)
        public_ip = (
            self.flag(fields["public_ip"], f"public_ip of {what}")
            if "public_ip" in fields
            else False
        )
        ipv6 = self.flag(fields["ipv6"], f"ipv6 of {what}") if "ipv6" in fields else False
        eip = self.elastic_ip(fields["elastic_ip"], name) if "elastic_ip" in fields else None
        groups = self.security_group_refs(fields, what)
        self.net.add_instance(name, subnet, public_ip, eip, ipv6, groups)

    def read_nat_instances(self, node: Node) -> None:
        self.each(self.items(node, "nat_instances"), self.read_nat_instance)

    def read_nat_instance(self, name: str, _key: Node, node: Node) -> None:
        what = f"NAT instance {name}"
        allowed = (
            "subnet",
            "public_ip",
            "elastic_ip",
            "source_dest_check",
            "security_groups",
            "port_forwards",
        )
        fields = self.fields(node, what, allowed, ("subnet",))
        subnet = self.subnet_ref(fields, what)
        public_ip = (
            self.flag(fields["public_ip"], f"public_ip of {what}")
            if "public_ip" in fields
            else False
        )
        check = (
            self.flag(fields["source_dest_check"], f"source_dest_check of {what}")
            if "source_dest_check" in fields
            else True
        )
        eip = self.elastic_ip(fields["elastic_ip"], name) if "elastic_ip" in fields else None
        groups = self.security_group_refs(fields, what)
        forwards = []
        if "port_forwards" in fields:
            for item in self.sequence(fields["port_forwards"], f"port_forwards of {what}"):
                with _skipping():
                    forwards.append(self.port_forward(item, name))
        self.net.add_nat_instance(name, subnet, public_ip, eip, check, groups, forwards)

    def port_forward(self, node: Node, owner: str) -> PortForward:
        what = f"a port forward of {owner}"
        fields = self.fields(node, what, ("port", "to", "to_port"), ("port", "to"))
        if "port" not in fields or "to" not in fields:
            raise _Skip()
        port = self.port(fields["port"], f"port of {what}")
        target = self.text(fields["to"], f"'to' of {what}")
        self.refer(target, fields["to"], ("instance", "nat-instance"), "port forward target")
        to_port = (
            self.port(fields["to_port"], f"to_port of {what}") if "to_port" in fields else None
        )
        return PortForward(port, target, to_port)

    def port(self, node: Node, what: str) -> int:
        port = self.integer(node, what)
        if not 1 <= port <= 65535:
            raise self.fail(node, f"{what} should be a port between 1 and 65535, got {port}")
        return port

    # ------------------------------------------------------------------ VPN and transit
    def read_transit_gateways(self, node: Node) -> None:
        self.each(self.items(node, "transit_gateways"), self.read_transit_gateway)

    def read_transit_gateway(self, name: str, _key: Node, node: Node) -> None:
        what = f"transit gateway {name}"
        allowed = (
            "vpn_ecmp",
            "multicast",
            "vpc_attachments",
            "direct_connect_gateway",
            "shared_with",
        )
        fields = self.fields(node, what, allowed)
        ecmp = (
            self.flag(fields["vpn_ecmp"], f"vpn_ecmp of {what}") if "vpn_ecmp" in fields else True
        )
        multicast = (
            self.flag(fields["multicast"], f"multicast of {what}")
            if "multicast" in fields
            else False
        )
        attachments = []
        if "vpc_attachments" in fields:
            for subnet, subnet_node in self.names_list(
                fields["vpc_attachments"], f"vpc_attachments of {what}"
            ):
                with _skipping():
                    attachments.append(
                        self.refer(subnet, subnet_node, ("subnet",), "attachment subnet")
                    )
        dx = (
            self.text(fields["direct_connect_gateway"], f"direct_connect_gateway of {what}")
            if "direct_connect_gateway" in fields
            else None
        )
        shared = (
            [n for n, _node in self.names_list(fields["shared_with"], f"shared_with of {what}")]
            if "shared_with" in fields
            else []
        )
        self.net.add_transit_gateway(
            name, ecmp, multicast, vpc_attachments=tuple(attachments),
            direct_connect_gateway=dx, shared_with=tuple(shared),
        )  # fmt: skip

    def read_virtual_private_gateways(self, node: Node) -> None:
        for name, _key_node, value_node in self.items(node, "virtual_private_gateways"):
            with _skipping():
                self.fields(value_node, f"virtual private gateway {name}", ())
            self.net.add_virtual_private_gateway(name)

    def read_customer_gateways(self, node: Node) -> None:
        self.each(self.items(node, "customer_gateways"), self.read_customer_gateway)

    def read_customer_gateway(self, name: str, _key: Node, node: Node) -> None:
        what = f"customer gateway {name}"
        fields = self.fields(node, what, ("ip", "bgp_asn"))
        ip = None
        if "ip" in fields:
            ip_text = self.text(fields["ip"], f"ip of {what}")
            try:
                parse_address(ip_text)
            except ValueError as error:
                raise self.fail(fields["ip"], f"ip of {what}: {error}") from None
            ip = ip_text
        asn = self.integer(fields["bgp_asn"], f"bgp_asn of {what}") if "bgp_asn" in fields else None
        self.net.add_customer_gateway(name, ip, asn)

    def read_vpn_connections(self, node: Node) -> None:
        self.each(self.items(node, "vpn_connections"), self.read_vpn_connection)

    def read_vpn_connection(self, name: str, _key: Node, node: Node) -> None:
        what = f"VPN connection {name}"
        allowed = ("gateway", "customer_gateway", "routing", "tunnel_size", "tunnels_down")
        fields = self.fields(node, what, allowed, ("gateway",))
        valid = False
        gateway = customer = None
        routing, size, down = "dynamic", "standard", ()
        with _skipping():
            if "gateway" in fields:
                gateway = self.text(fields["gateway"], f"gateway of {what}")
                kinds = ("transit-gateway", "virtual-private-gateway")
                self.refer(gateway, fields["gateway"], kinds, "VPN gateway")
                valid = True
        with _skipping():
            if "customer_gateway" in fields:
                customer = self.text(fields["customer_gateway"], f"customer_gateway of {what}")
                self.refer(
                    customer, fields["customer_gateway"], ("customer-gateway",), "customer gateway"
                )
        with _skipping():
            routing = self.choice(
                fields.get("routing"), f"routing of {what}", ("static", "dynamic"), "dynamic"
            )
        with _skipping():
            size = self.choice(
                fields.get("tunnel_size"),
                f"tunnel_size of {what}",
                ("standard", "large"),
                "standard",
            )
        with _skipping():
            if "tunnels_down" in fields:
                down = self.tunnels_down(fields["tunnels_down"], what)
        if valid and gateway is not None:
            self.net.add_vpn_connection(name, gateway, customer, routing, size, down)

    def choice(self, node: Node | None, what: str, options: tuple[str, ...], default: str) -> str:
        if node is None:
            return default
        value = self.text(node, what)
        if value not in options:
            raise self.fail(node, f"{what} should be {' or '.join(options)}, got {value!r}")
        return value

    def tunnels_down(self, node: Node, what: str) -> tuple[int, ...]:
        if isinstance(node, SequenceNode):
            numbers = []
            for item in node.value:
                number = self.integer(item, f"a tunnel of {what}")
                if number not in (1, 2):
                    raise self.fail(item, f"tunnels of {what} are numbered 1 and 2, got {number}")
                numbers.append(number)
            return tuple(numbers)
        count = self.integer(node, f"tunnels_down of {what}")
        if not 0 <= count <= 2:
            raise self.fail(
                node, f"tunnels_down of {what} should be 0, 1 or 2 (two tunnels), got {count}"
            )
        return tuple(range(1, count + 1))

    # ------------------------------------------------------------------ API Gateway
    def read_api_gateway(self, node: Node) -> None:
        fields = self.fields(node, "api_gateway", ("cache", "methods", "requests"))
        stage = ApiStage()
        if "cache" in fields:
            with _skipping():
                self.read_cache(fields["cache"], stage)
        if "methods" in fields:
            with _skipping():
                for key, key_node, value_node in self.items(
                    fields["methods"], "api_gateway methods"
                ):
                    with _skipping():
                        stage.methods[self.override_key(key, key_node)] = self.method_settings(
                            value_node, key
                        )
        requests = []
        if "requests" in fields:
            with _skipping():
                for item in self.sequence(fields["requests"], "api_gateway requests"):
                    with _skipping():
                        requests.append(self.request(item))
        self.net.api_stage = stage
        self.net.api_requests = tuple(requests)

    def read_cache(self, node: Node, stage: ApiStage) -> None:
        fields = self.fields(node, "api_gateway cache", ("enabled", "ttl", "size", "size_gb"))
        stage.cache_enabled = (
            self.flag(fields["enabled"], "cache enabled") if "enabled" in fields else True
        )
        if "ttl" in fields:
            stage.ttl = self.integer(fields["ttl"], "cache ttl (seconds)")
        size_node = fields.get("size") or fields.get("size_gb")
        if size_node is not None:
            stage.cache_size_gb = self.number(size_node, "cache size (GB)")

    def method_key(self, key: str, node: Node) -> str:
        words = key.split()  # any spacing: "GET  /items" is "GET /items"
        if len(words) != 2 or words[0].upper() not in HTTP_METHODS or not words[1].startswith("/"):
            raise self.fail(node, f"method {key!r} should be 'METHOD /path', like 'GET /items'")
        return f"{words[0].upper()} {words[1]}"

    def override_key(self, key: str, node: Node) -> str:
        """A method override's 'METHOD /path': a resource, so no query string."""
        found = self.method_key(key, node)
        if "?" in found:
            raise self.fail(
                node, f"method override {key!r} names a query string: overrides apply to a "
                "resource path, like 'GET /items'",
            )  # fmt: skip
        return found

    def method_settings(self, node: Node, key: str) -> MethodSettings:
        fields = self.fields(node, f"method {key}", ("cache", "ttl"))
        cache = self.flag(fields["cache"], f"cache of {key}") if "cache" in fields else None
        ttl = self.integer(fields["ttl"], f"ttl of {key} (seconds)") if "ttl" in fields else None
        return MethodSettings(cache, ttl)

    def request(self, node: Node) -> ApiRequest:
        what = "a request"
        parts = self.sequence(node, f'{what} (expected [seconds, "METHOD /path"])')
        if len(parts) not in (2, 3):
            raise self.fail(
                node,
                'a request should be [seconds, "METHOD /path"] or [seconds, "METHOD /path", '
                "{invalidate: true}]",
            )
        time = self.number(parts[0], "the request time (seconds)")
        key = self.method_key(self.text(parts[1], "the request"), parts[1])
        invalidate = False
        if len(parts) == 3:
            options = self.fields(parts[2], "request options", ("invalidate",))
            invalidate = (
                self.flag(options["invalidate"], "invalidate") if "invalidate" in options else False
            )
        method, _, path = key.partition(" ")
        if method in ("ANY", "*"):
            raise self.fail(parts[1], f"a request needs a real HTTP method, not {method}")
        return ApiRequest(time, method, path, invalidate)

    # ------------------------------------------------------------------ fail and ask
    def read_failures(self, node: Node | None) -> list[Failure]:
        if node is None:
            return []
        if isinstance(node, ScalarNode) and not node.tag.endswith(":null"):
            items = [node]  # a single failure written without a list
        else:
            try:
                items = self.sequence(node, "fail")
            except _Skip:
                return []
        failures = []
        for item in items:
            with _skipping():
                failures.append(self.failure(item))
        return failures

    def failure(self, node: Node) -> Failure:
        text = self.text(node, "a failure")
        try:
            failure = parse_failure(text)
        except FailureSyntaxError as error:
            raise self.fail(node, str(error)) from None
        if isinstance(failure, AzOutage):
            self.az_ref(failure.az, node)
        elif isinstance(failure, TunnelDown):
            self.refer(failure.connection, node, ("vpn-connection",), "VPN connection")
        elif isinstance(failure, InstanceStopped):
            self.refer(failure.instance, node, ("instance", "nat-instance"), "instance")
        return failure

    def az_ref(self, az: str, node: Node) -> str:
        if az not in self.azs:
            known = ", ".join(sorted(self.azs)) or "none"
            raise self.fail(node, f"availability zone {az!r} holds no subnet (zones used: {known})")
        return az

    def read_questions(self, node: Node | None) -> list[Question]:
        if node is None:
            return []
        try:
            items = self.sequence(node, "ask")
        except _Skip:
            return []
        questions = []
        for item in items:
            with _skipping():
                questions.append(self.question(item))
        return questions

    def question(self, node: Node) -> Question:
        text = self.text(node, "a question")
        words = text.split()
        if not words:
            raise self.fail(node, "empty question")
        kind = QUESTIONS.get(words[0])
        if kind is None:
            raise self.fail(
                node,
                f"unknown question {words[0]!r}{_hint(words[0], QUESTIONS, 'expected one of')}",
            )
        given = words[1:]
        most, least = len(kind.params), len(kind.params) - kind.optional
        if not least <= len(given) <= most:
            raise self.fail(node, f"{kind.word} takes {_usage(kind)}, got {len(given)} argument(s)")
        args = tuple(
            self.argument(param, value, node)
            for param, value in zip(kind.params, given, strict=False)
        )
        return Question(" ".join(words), kind.word, args, self.line(node))

    def argument(self, param: str, value: str, node: Node) -> object:
        if param == "subnet":
            return self.refer(value, node, ("subnet",), "subnet")
        if param == "host":
            return self.refer(value, node, ("instance", "nat-instance"), "instance")
        if param == "az":
            return self.az_ref(value, node)
        if param == "vpn-connection":
            return self.refer(value, node, ("vpn-connection",), "VPN connection")
        if param == "vpn-gateway":
            return self.refer(
                value, node, ("transit-gateway", "virtual-private-gateway"), "VPN gateway"
            )
        if param == "port":
            if not value.isdigit() or not 1 <= int(value) <= 65535:
                raise self.fail(node, f"port {value!r} should be a number between 1 and 65535")
            return int(value)
        if param == "ipv4":
            try:
                address = parse_address(value)
            except ValueError as error:
                raise self.fail(node, str(error)) from None
            if address.version != 4:
                raise self.fail(node, f"{value} is not an IPv4 address (use internet-egress-ipv6)")
            return address
        raise self.fail(node, f"internal: unknown parameter kind {param}")


class _skipping:
    """``with _skipping():`` — an entry whose error is recorded is left out, reading goes on."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, traceback: object) -> bool:
        return kind is _Skip


def _raw_pairs(node: Node | None) -> list[tuple[str, Node]]:
    """A mapping's (key text, value node) pairs without any checking (for the first pass)."""
    if not isinstance(node, MappingNode):
        return []
    return [(str(key.value), value) for key, value in node.value if isinstance(key, ScalarNode)]


def _usage(kind: QuestionKind) -> str:
    required = kind.params[: len(kind.params) - kind.optional]
    optional = kind.params[len(required) :]
    words = [p.upper() for p in required] + [f"[{p.upper()}]" for p in optional]
    return " ".join(words) if words else "no arguments"


def _hint(name: str, options: Iterable[str], label: str) -> str:
    """ " (did you mean 'x'?)" for a near miss, else " (LABEL: a, b, c)"; "" with no options."""
    choices = list(options)
    if not choices:
        return ""
    from difflib import get_close_matches  # only on errors: keeps start-up light

    close = get_close_matches(name, choices, n=1, cutoff=0.75)
    if close:
        return f" (did you mean {close[0]!r}?)"
    shown = ", ".join(choices[:10]) + (", ..." if len(choices) > 10 else "")
    return f" ({label}: {shown})"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def _kind(kind: str) -> str:
    return kind.replace("-", " ").replace("nat ", "NAT ").replace("vpn ", "VPN ")


def _shape(node: Node) -> str:
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    return f"the value {node.value!r}"


def _unreadable(what: str, node: ScalarNode) -> str:
    """Why a scalar with an explicit YAML tag could not be read, in words."""
    tag = node.tag
    shown = "!!" + tag[len(_STANDARD_TAG_PREFIX) :] if tag.startswith(_STANDARD_TAG_PREFIX) else tag
    if tag not in SafeConstructor.yaml_constructors:
        return f"{what} has the YAML tag {shown}, which scenario files do not use: drop the tag"
    return f"{what}: {node.value!r} is not a valid {shown} value: drop the tag or fix the value"


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    return repr(value)
