"""Every template, over several seeds: the answer is the model's (asked again here, afresh),
the right answer is among the choices, distractors are wrong by the model, the same seed
gives the same question, different seeds give different situations, and answer checking
accepts the right answer and rejects the wrong ones. Then known values for some templates."""

from __future__ import annotations

import itertools
import json
import math
from collections import OrderedDict
from collections.abc import Callable, Iterator

import pytest

from studytool.model import queries
from studytool.model.answer import SINGULAR_UNITS, Answer
from studytool.model.failures import AzOutage, InstanceStopped
from studytool.model.rules import all_rules
from studytool.model.topology import CACHE_SIZES_GB, Network, Vpc
from studytool.scenarios.answer_check import UNITS, check_answer, label, parse_quantity
from studytool.scenarios.generator import generate, templates
from studytool.scenarios.templates import describe
from studytool.scenarios.templates.base import (
    DESCRIBED,
    JSON_KEYS,
    KINDS,
    LABEL_LENGTH,
    TOPICS,
    Contains,
    Draft,
    Option,
    Probe,
    Question,
    Template,
    _shortened,
    option_labels,
)
from studytool.scenarios.templates.describe import (
    SITUATION,
    Situation,
    describe_network,
    describe_vpn,
    failure_line,
    failure_lines,
)
from studytool.scenarios.templates.layouts import AzLayout, contains, instance_az

ALL = templates()
SEEDS = range(5)
CASES = [pytest.param(t, seed, id=f"{t.id}#{seed}") for t in ALL for seed in SEEDS]


def fresh(probe: Probe) -> Answer:
    """Ask the model again, with every memoised path of the probe's networks forgotten."""
    args = probe.arguments()
    for arg in args:
        if isinstance(arg, Network):
            arg.invalidate()
    return probe.query(*args)


def built(template: Template, seed: int) -> tuple[Draft, Question]:
    return template.draft(seed)


def judged(option: Option) -> bool:
    assert option.probe is not None
    return bool(option.right_if(fresh(option.probe).value))


def answer_set(question: Question) -> set[str]:
    if question.kind == "choice":
        return {question.answer}
    return set(question.answer)


# --------------------------------------------------------------------------- the registry
def test_there_are_enough_templates_over_every_topic_and_kind() -> None:
    assert len(ALL) >= 25
    assert {t.topic for t in ALL} == set(TOPICS)
    assert {t.kind for t in ALL} == set(KINDS)
    for topic in TOPICS:
        assert len(templates(topic)) >= 3, topic
    assert len({t.id for t in ALL}) == len(ALL)
    for t in ALL:
        assert t.id.startswith(t.topic + "/") and t.title


# --------------------------------------------------------------------------- per template
@pytest.mark.parametrize(("template", "seed"), CASES)
def test_the_answer_is_the_models(template: Template, seed: int) -> None:
    draft, question = built(template, seed)
    kind = question.kind
    if kind in ("yes-no", "number"):
        assert draft.probe is not None
        model = fresh(draft.probe)
        assert question.answer == model.value
        assert question.unit == (draft.unit or model.unit)
        if kind == "yes-no":
            assert isinstance(question.answer, bool)
        else:
            assert isinstance(question.answer, int | float) and not isinstance(
                question.answer, bool
            )
    elif kind in ("choice", "multi"):
        for option in draft.options or []:
            if option.probe is None:
                assert option.wrong_rule in all_rules()
                assert option.wrong_rule in question.rules
                assert option.text not in answer_set(question)
            else:
                assert judged(option) == (option.text in answer_set(question)), option.text
    else:
        assert draft.probe is not None and draft.options
        keys = fresh(draft.probe).value
        text_by_key = {option.key: option.text for option in draft.options}
        assert question.answer == [text_by_key[key] for key in keys]
        verdict = question.judge_order(question.answer)
        assert verdict is not None and verdict.value is True


@pytest.mark.parametrize(("template", "seed"), CASES)
def test_the_right_answer_is_among_the_choices(template: Template, seed: int) -> None:
    _draft, question = built(template, seed)
    if question.kind in ("yes-no", "number"):
        assert question.choices is None
        return
    choices = question.choices or []
    assert len(choices) >= 2 and len(set(choices)) == len(choices)
    if question.kind == "choice":
        assert question.answer in choices
    elif question.kind == "multi":
        assert set(question.answer) <= set(choices)
        assert question.answer == [c for c in choices if c in question.answer]  # shown order
    else:
        assert sorted(question.answer) == sorted(choices)


@pytest.mark.parametrize(("template", "seed"), CASES)
def test_every_distractor_is_wrong_by_the_model(template: Template, seed: int) -> None:
    draft, question = built(template, seed)
    if question.kind not in ("choice", "multi"):
        return
    distractors = [o for o in draft.options or [] if o.text not in answer_set(question)]
    if question.kind == "choice":
        assert len(distractors) == len(question.choices or []) - 1
    for option in distractors:
        if option.probe is not None:
            assert judged(option) is False, option.text
        else:
            assert option.wrong_rule in all_rules()


@pytest.mark.parametrize(("template", "seed"), CASES)
def test_the_same_seed_gives_the_same_question(template: Template, seed: int) -> None:
    first = template.build(seed).to_json()
    again = generate(template.id, seed).to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


@pytest.mark.parametrize(("template", "seed"), CASES)
def test_the_question_explains_itself_and_is_json(template: Template, seed: int) -> None:
    _draft, question = built(template, seed)
    payload = question.to_json()
    assert tuple(payload) == JSON_KEYS
    assert json.loads(json.dumps(payload)) == payload
    assert question.question.strip() and question.because
    assert set(question.rules) <= set(all_rules())
    assert (question.topic, question.template, question.seed) == (template.topic, template.id, seed)


def right_typings(question: Question) -> Iterator[str]:
    """How a person could type the right answer."""
    choices = question.choices or []
    if question.kind == "yes-no":
        yield "yes" if question.answer else "no"
        yield "True" if question.answer else "n"
    elif question.kind == "number":
        yield f"{question.answer:g}" if isinstance(question.answer, float) else str(question.answer)
        if question.unit:
            yield f"{question.answer} {question.unit}"
    elif question.kind == "choice":
        index = choices.index(question.answer)
        yield label(index)
        yield str(index + 1)
        yield question.answer.upper()
    elif question.kind == "multi":
        letters = [label(choices.index(text)) for text in question.answer]
        yield ", ".join(letters) if letters else "none"
        yield " and ".join(reversed(letters)) if letters else "nothing"
    else:
        letters = [label(choices.index(text)) for text in question.answer]
        yield " ".join(letters)
        yield ",".join(str(choices.index(text) + 1) for text in question.answer)


def wrong_typings(draft: Draft, question: Question) -> Iterator[str]:
    """Wrong answers: the opposite, each distractor, a set with one option toggled..."""
    choices = question.choices or []
    if question.kind == "yes-no":
        yield "no" if question.answer else "yes"
    elif question.kind == "number":
        yield f"{question.answer + 1:g}"
        yield f"{question.answer * 2 + 0.5:g}"
    elif question.kind == "choice":
        for index, text in enumerate(choices):
            if text != question.answer:
                yield label(index)
                yield text
    elif question.kind == "multi":
        right = {choices.index(text) for text in question.answer}
        for index in range(len(choices)):
            toggled = sorted(right ^ {index})
            yield ", ".join(label(i) for i in toggled) if toggled else "none"
    else:
        for order in itertools.permutations(range(len(choices))):
            texts = [choices[i] for i in order]
            verdict = question.judge_order(texts)
            if verdict is not None and verdict.value is False:
                yield " ".join(label(i) for i in order)
                break


@pytest.mark.parametrize(("template", "seed"), CASES)
def test_checking_accepts_the_right_answer_and_rejects_wrong_ones(
    template: Template, seed: int
) -> None:
    draft, question = built(template, seed)
    for typed in right_typings(question):
        result = check_answer(question, typed)
        assert result.correct, (typed, result.message)
    wrong = list(wrong_typings(draft, question))
    assert wrong
    for typed in wrong:
        result = check_answer(question, typed)
        assert not result.correct, typed
        assert result.expected_display in result.message


@pytest.mark.parametrize("template", ALL, ids=lambda t: t.id)
def test_different_seeds_give_different_situations(template: Template) -> None:
    questions = [template.build(seed) for seed in range(40)]
    situations = {(q.question, tuple(q.choices or ())) for q in questions}
    assert len(situations) >= 8
    answers = {json.dumps(q.answer) for q in questions}
    if template.kind == "yes-no":
        assert answers == {"true", "false"}
    elif template.kind == "choice":  # the right option is not always the same one, or in one place
        assert len({(q.answer, q.choices.index(q.answer)) for q in questions}) >= 2  # type: ignore[union-attr]
    elif template.kind != "order":
        assert len(answers) >= 2


# --------------------------------------------------------------------------- known values
def many(template_id: str, count: int = 25) -> list[Question]:
    return [generate(template_id, seed) for seed in range(count)]


def test_every_number_unit_is_a_measure_or_a_count_with_a_singular() -> None:
    """So "1 call" never reads "1 calls": a count unit needs its singular in SINGULAR_UNITS."""
    for template in templates():
        if template.kind != "number":
            continue
        for seed in range(40):
            unit = generate(template.id, seed).unit
            assert unit is None or unit in SINGULAR_UNITS or unit.lower() in UNITS, (
                template.id,
                unit,
            )


def test_valid_ttls_are_those_from_0_to_3600_seconds() -> None:
    for question in many("api-gateway/valid-ttls"):
        seconds = {text: parse_quantity(text).value for text in question.choices}  # type: ignore[union-attr]
        assert question.answer == [t for t in question.choices if 0 <= seconds[t] <= 3600]


def test_valid_cache_sizes_are_the_eight_api_gateway_offers() -> None:
    for question in many("api-gateway/valid-cache-sizes"):
        sizes = {text: parse_quantity(text).value for text in question.choices}  # type: ignore[union-attr]
        offered = [
            t for t in question.choices if any(math.isclose(sizes[t], s) for s in CACHE_SIZES_GB)
        ]
        assert question.answer == offered


def test_a_virtual_private_gateway_never_gives_more_than_one_tunnel() -> None:
    answers = {question.answer for question in many("site-to-site-vpn/vgw-throughput", 40)}
    assert answers == {0.0, 1.25}


def test_connections_needed_follow_two_tunnels_per_connection() -> None:
    for question in many("site-to-site-vpn/connections-needed"):
        target = float(question.question.split(" Gbps")[0].split()[-1])
        tunnel = 5.0 if "large (5 Gbps)" in question.question else 1.25
        assert question.answer == math.ceil(target / (2 * tunnel) - 1e-9)
        assert question.unit == "connections"


def test_the_nat_gateway_setup_order_attaches_and_routes_before_creating() -> None:
    for question in many("nat-gateway/setup-order", 5):
        steps = [text.split()[0] for text in question.answer]
        assert steps.index("Attach") < steps.index("Create") < len(steps) - 1
        assert question.answer[-1].startswith("In the private subnets' route table")


def test_the_four_requirements_are_exactly_the_needed_ones() -> None:
    needed = {
        "an internet gateway attached to the VPC",
        "a route for 0.0.0.0/0 to the internet gateway in the subnet's route table",
        "a public IPv4 address or an Elastic IP address on the instance",
        "security groups and network ACLs that allow the traffic",
    }
    for question in many("internet-gateway/four-requirements", 10):
        assert set(question.answer) == needed


def test_only_nat_gateways_per_az_fix_the_outage() -> None:
    for question in many("nat-gateway/fix-az-outage", 10):
        assert question.answer.startswith(
            "create a NAT gateway in each AZ's public subnet and route"
        )


def test_only_a_transit_gateway_created_with_multicast_routes_multicast() -> None:
    for question in many("transit-gateway/multicast", 10):
        assert question.answer.endswith("created with multicast support")


def test_large_tunnels_end_on_a_transit_gateway() -> None:
    for question in many("site-to-site-vpn/large-tunnels", 10):
        assert question.answer.endswith("a transit gateway")


def test_a_shared_nat_gateway_fails_other_azs_only_when_its_own_az_fails() -> None:
    for question in many("nat-gateway/az-outage-shared", 30):
        home = question.question.split("0.0.0.0/0 → nat-")[1][0]
        failed = question.question.split("availability zone ")[1][0]
        outside_private = [c for c in question.choices if c.startswith("app-")]  # type: ignore[union-attr]
        assert question.answer == (outside_private if home == failed else [])


def test_a_nat_gateway_never_lets_the_internet_in() -> None:
    behind_nat = [
        question
        for question in many("nat-gateway/inbound-connection", 40)
        if "in subnet private-a" in question.question.split("\n- instance ")[-1]
    ]
    assert len(behind_nat) >= 5
    assert all(question.answer is False for question in behind_nat)


def test_an_existing_nat_gateway_does_not_give_away_which_subnet_can_host_one() -> None:
    hosts_right = hosts_wrong = 0
    for question in many("nat-gateway/which-subnet", 120):
        lines = question.question.split("\n- ")
        hosts = [line for line in lines if line.startswith("public NAT gateway nat-1 in subnet ")]
        if not hosts:
            continue
        host = hosts[0].removeprefix("public NAT gateway nat-1 in subnet ").split(",")[0]
        assert f"subnet {host} " in question.question  # one of the subnets shown
        assert f"route table rt-{host}: 0.0.0.0/0 → nat-1" not in question.question
        if host == question.answer:
            hosts_right += 1
        else:
            hosts_wrong += 1
    assert hosts_right > 0 and hosts_wrong > hosts_right


def _static_vpns_on_tgw(connections: int, routing: str = "static", ecmp: bool = False) -> Network:
    net = Network()
    net.add_transit_gateway("tgw-1", vpn_ecmp=ecmp)
    net.add_customer_gateway("cgw-1", "198.51.100.7", 65000)
    for number in range(1, connections + 1):
        net.add_vpn_connection(f"vpn-{number}", "tgw-1", "cgw-1", routing)
    return net


def test_a_change_that_leaves_the_vpn_ceiling_alone_says_it_stays() -> None:
    from studytool.scenarios.templates.composite import throughput_gain

    before = _static_vpns_on_tgw(2)
    more_static = throughput_gain(before, _static_vpns_on_tgw(5), "tgw-1")
    assert more_static.value is False
    assert "the ceiling stays at 1.25 Gbps (rule tgw-ecmp-support)" in more_static.because
    ecmp_on = throughput_gain(before, _static_vpns_on_tgw(2, ecmp=True), "tgw-1")
    assert ecmp_on.value is False
    assert "the ceiling stays at 1.25 Gbps (rule tgw-ecmp-needs-bgp)" in ecmp_on.because
    bgp = throughput_gain(before, _static_vpns_on_tgw(2, "dynamic", ecmp=True), "tgw-1")
    assert bgp.value is True
    assert "the ceiling goes from 1.25 Gbps to 5 Gbps (rule tgw-ecmp-bandwidth)" in bgp.because


def test_four_requirements_explain_what_taking_each_away_does() -> None:
    for question in many("internet-gateway/four-requirements", 5):
        names = option_labels(question.choices)
        for text in question.answer:
            name = names[text]
            labelled = [reason for reason in question.because if reason.startswith(f"“{name}”")]
            assert labelled and all(
                reason.startswith(f"“{name}”, taken away: ") for reason in labelled
            )


def test_api_requests_are_listed_one_bullet_each_in_time_order() -> None:
    for question in many("api-gateway/backend-calls", 10):
        times = [
            float(line.split()[2])
            for line in question.question.split("\n- ")
            if line.startswith("request at ")
        ]
        assert len(times) >= 4 and times == sorted(times)


def test_the_default_security_group_is_described_once_per_question() -> None:
    line = "\n- " + describe.DEFAULT_GROUP_LINE
    outages = many("nat-gateway/az-outage-per-az", 5)
    for question in outages:
        users = question.question.count(", no security group of its own\n")
        assert users >= 2 and question.question.count(line) == 1
    for question in many("nat-gateway/setup-order", 3):
        assert line not in question.question


# --------------------------------------------------------------------------- shared situations
def test_a_situation_is_described_once_and_built_only_when_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(describe, "_LINES", OrderedDict())
    monkeypatch.setattr(describe, "LINES_CACHE_SIZE", 2)
    built_keys: list[str] = []

    def network(key: str) -> Callable[[], Network]:
        def build() -> Network:
            built_keys.append(key)
            net = Network(Vpc("10.0.0.0/16", internet_gateway="igw-1"))
            net.add_subnet(f"subnet-{key}", "a")
            net.add_instance(f"host-{key}", f"subnet-{key}")
            return net

        return build

    first = Situation("a", network("a"))
    assert built_keys == ["a"]  # built to describe it
    assert first.lines == tuple(describe_network(first.network()))
    assert "subnet subnet-a in AZ a: no route table" in first.lines
    assert built_keys == ["a"]  # the same network, not built again

    again = Situation("a", network("a"))
    assert again.lines is first.lines and built_keys == ["a"]  # the text alone: no build
    probe = again.probe(queries.internet_egress, "host-a", failures=(AzOutage("a"),))
    assert probe.key == (SITUATION, "a", (AzOutage("a"),), "host-a")
    assert built_keys == ["a"]  # still nothing built: the model was not asked
    net, host = probe.arguments()
    assert built_keys == ["a", "a"] and host == "host-a" and net.failed_azs == {"a"}
    assert again.network().failed_azs == frozenset()  # the failures go on a copy
    assert probe.ask().value is False

    Situation("b", network("b"))
    Situation("a", network("a"))  # a is now the most recently used
    Situation("c", network("c"))  # forgets b
    Situation("a", network("a"))
    Situation("b", network("b"))
    assert built_keys == ["a", "a", "b", "c", "b"]
    assert Situation("a", network("a"), describe_vpn).lines == ()  # another description
    assert built_keys[-1] == "a"


def test_an_az_layout_key_tells_every_field_apart() -> None:
    layout = AzLayout(
        azs=("a", "b"),
        route_of={"a": "nat-a", "b": "nat-a"},
        nat_gateways={"nat-a": "a"},
        hosts={"a": 1, "b": 2},
        web=("b",),
    )
    changes = [
        {"azs": ("a", "b", "c")},
        {"route_of": {"a": "nat-a", "b": "nat-b"}},
        {"nat_gateways": {"nat-a": "a", "nat-b": "b"}},
        {"nat_instances": {"nat-i": "a"}},
        {"hosts": {"a": 2, "b": 1}},
        {"web": ()},
        {"secondary_eips": {"nat-a": ("eip-x",)}},
        {"private_public_ips": True},
    ]
    keys = {layout.key(), *[layout._replace(**change).key() for change in changes]}
    assert len(keys) == len(changes) + 1
    assert layout._replace(hosts={"a": 1, "b": 2}).key() == layout.key()
    assert layout.situation().lines == tuple(describe_network(layout.build()))
    assert layout.instances() == ("app-a1", "app-b1", "app-b2", "web-b")
    assert layout.private_instances() == ("app-a1", "app-b1", "app-b2")
    assert [instance_az(name) for name in layout.instances()] == ["a", "b", "b", "b"]
    assert contains("app-a1") == Contains("app-a1") and contains("app-a1") is contains("app-a1")


def described_networks(draft: Draft) -> list[Network]:
    """The networks of the draft's probes whose key says the question text describes them."""
    probes = [draft.probe, *draft.because_from, *[o.probe for o in draft.options or []]]
    return [
        arg
        for probe in probes
        if probe is not None
        and (probe.key == DESCRIBED or (isinstance(probe.key, tuple) and probe.key[0] == SITUATION))
        for arg in probe.arguments()
        if isinstance(arg, Network)
    ]


def assert_describes(draft: Draft, question: Question) -> None:
    """Every network the question text stands for is described in it, line for line."""
    for net in described_networks(draft):
        failures = failure_lines(net)
        # the VPC side, or (a network of gateways and VPN connections only) the on-premises side
        readings = [describe_network(net)] if net.subnets else [describe_vpn(net)]
        if net.subnets and net.transit_gateways:
            readings.append(describe_vpn(net))
        assert any(
            all(f"- {line}\n" in question.question for line in [*lines, *failures])
            for lines in readings
        ), (readings, question.question)


@pytest.mark.parametrize(("template", "seed"), CASES)
def test_the_question_describes_the_network_the_model_is_asked_about(
    template: Template, seed: int
) -> None:
    assert_describes(*built(template, seed))


def test_texts_read_again_for_a_situation_describe_the_network_built_for_it() -> None:
    """Many seeds: most situations come again, and their text is then the one kept."""
    for template in ALL:
        for seed in range(40):
            assert_describes(*template.draft(seed))
    assert describe._LINES


def test_failure_lines_say_what_each_failure_says() -> None:
    net = Network(Vpc("10.0.0.0/16"))
    net.add_subnet("public-a", "a")
    net.add_instance("nat-i", "public-a")
    for failure in (AzOutage("a"), InstanceStopped("nat-i")):
        assert failure_lines(net.with_failures(failure)) == [failure_line(failure)]


# --------------------------------------------------------------------------- option labels
def _denotes(label: str, text: str) -> bool:
    """Could the quoted ``label`` stand for the option ``text`` (whole, or with “…” in place
    of some of it)?"""
    if label == text:
        return True
    if "…" not in label:
        return False
    start, _cut, end = label.partition("…")
    start, end = start.rstrip(), end.lstrip()
    return len(start) + len(end) < len(text) and text.startswith(start) and text.endswith(end)


def _quoted_labels(question: Question) -> list[str]:
    return [reason[1:].partition("”")[0] for reason in question.because if reason[0] == "“"]


@pytest.mark.parametrize(
    "template", [t for t in ALL if t.kind in ("choice", "multi")], ids=lambda t: t.id
)
def test_every_option_label_in_the_reasons_names_one_option(template: Template) -> None:
    """A reason labelled with an option names exactly one of the question's options, so two
    options never share a label (“3 BGP … support off” is not “3 BGP … support”)."""
    for seed in range(40):
        question = generate(template.id, seed)
        for name in _quoted_labels(question):
            named = [text for text in question.choices if _denotes(name, text)]
            assert len(named) == 1, (seed, name, named)


def test_a_long_label_keeps_the_start_and_end_and_fits_the_label_length() -> None:
    off = "3 BGP connections on a transit gateway with VPN ECMP support off"
    on = "3 BGP connections on a transit gateway with VPN ECMP support"
    labels = option_labels([off, on])
    assert labels == {off: "3 BGP connections on a … with VPN ECMP support off", on: on}
    assert len(labels[off]) <= LABEL_LENGTH


def test_labels_that_would_read_alike_are_quoted_whole() -> None:
    start, end = "route the private subnets of the VPC", "to the NAT gateway of the same AZ"
    texts = [f"{start} one way {end}", f"{start} the other way {end}"]
    assert len(set(map(_shortened, texts))) == 1
    assert option_labels(texts) == {text: text for text in texts}
