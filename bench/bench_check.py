"""Benchmark: ``studytool check`` on a generated 200-instance, 6-AZ scenario with 50 questions,
against ``studytool --help`` (bare start-up) measured in the same run. Goal: ratio <= 1.5.

Also reports the rule model's queries per second in-process (all 50 questions on a fresh copy
of the network each round, so memoised answers do not flatter the figure).

Run: ``python bench/bench_check.py [--runs N]``. Byte-code is cached in a temporary
directory (PYTHONPYCACHEPREFIX), as it is for an installed package, for both commands. Each
run's CPU time (user + system, from the child's resource usage) is reported too: on a busy
machine it varies less than wall-clock time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AZS = "abcdef"
INSTANCES = 200
QUESTIONS = 50
SHARED_NAT_AZS = "ef"  # these AZs route to the NAT gateway of AZ a: they lose egress if a fails


def scenario_text() -> str:
    """The generated scenario (deterministic)."""
    lines = [
        "title: Generated benchmark, 200 instances in 6 AZs",
        "vpc: {cidr: 10.0.0.0/16, internet_gateway: igw-1, main_route_table: rt-public}",
        "internet_gateways: {igw-old: {}}",
        "route_tables:",
        "  rt-public: {0.0.0.0/0: igw-1}",
    ]
    for az in AZS:
        nat = "nat-a" if az in SHARED_NAT_AZS else f"nat-{az}"
        lines.append(f"  rt-private-{az}: {{0.0.0.0/0: {nat}, 192.168.0.0/16: tgw-1}}")
    lines.append("subnets:")
    for index, az in enumerate(AZS):
        lines.append(f"  public-{az}: {{az: {az}, cidr: 10.0.{index}.0/24}}")
        lines.append(
            f"  private-{az}: {{az: {az}, route_table: rt-private-{az}, cidr: "
            f"10.0.{index + 10}.0/24}}"
        )
    lines.append("nat_gateways:")
    for az in AZS:
        if az not in SHARED_NAT_AZS:
            lines.append(f"  nat-{az}: {{subnet: public-{az}, elastic_ip: eip-{az}}}")
    lines += [
        "security_groups:",
        "  sg-web: "
        '{inbound: ["tcp/443 0.0.0.0/0", "tcp/80 0.0.0.0/0"], outbound: ["all 0.0.0.0/0"]}',
        '  sg-app: {inbound: ["tcp/8080 sg-web", "tcp/22 10.0.0.0/16"],',
        '           outbound: ["tcp/443 0.0.0.0/0", "all 10.0.0.0/16"]}',
        "network_acls:",
        "  acl-private: {subnets: [private-a, private-b], "
        'inbound: ["100 allow all 10.0.0.0/16", "110 allow tcp/1024-65535 0.0.0.0/0"], '
        'outbound: ["100 allow all 0.0.0.0/0"]}',
        "instances:",
    ]
    for number in range(INSTANCES):
        az = AZS[number % len(AZS)]
        if number % 4 == 0:
            lines.append(
                f"  web-{number}: {{subnet: "
                f"public-{az}, public_ip: true, security_groups: [sg-web]}}"
            )
        else:
            lines.append(f"  app-{number}: {{subnet: private-{az}, security_groups: [sg-app]}}")
    lines += [
        "transit_gateways: {tgw-1: {vpn_ecmp: true}}",
        "virtual_private_gateways: {vgw-1: {}}",
        "customer_gateways: {cgw-1: {ip: 198.51.100.7}, cgw-2: {ip: 198.51.100.8}}",
        "vpn_connections:",
        "  vpn-1: {gateway: tgw-1, customer_gateway: cgw-1, routing: dynamic}",
        "  vpn-2: {gateway: tgw-1, customer_gateway: cgw-2, routing: dynamic, tunnels_down: 1}",
        "  vpn-3: {gateway: tgw-1, customer_gateway: cgw-2, routing: static}",
        "  vpn-4: {gateway: vgw-1, customer_gateway: cgw-1, routing: dynamic}",
        "api_gateway:",
        "  cache: {enabled: true, ttl: 120, size: 1.6}",
        '  methods: {"GET /items": {ttl: 60}, "POST /items": {cache: true}}',
        "  requests:",
    ]
    lines += [f"    - [{second * 7}, GET /items]" for second in range(30)]
    lines += [
        "fail: [tunnel vpn-1/2]",
        "ask:",
    ]
    lines += [f"  - {question}" for question in questions()]
    return "\n".join(lines) + "\n"


def questions() -> list[str]:
    asked = [f"lost-internet-if-az-fails {az}" for az in AZS]
    asked += [f"subnet-type {kind}-{az}" for az in "abc" for kind in ("public", "private")]
    asked += ["vpn-up vpn-1", "vpn-up vpn-2", "vpn-max-throughput-gbps tgw-1"]
    asked += ["vpn-max-throughput-gbps vgw-1", "backend-calls", "problems"]
    names = [f"web-{n}" if n % 4 == 0 else f"app-{n}" for n in range(INSTANCES)]
    number = 0
    while len(asked) < QUESTIONS - 8:
        asked.append(f"internet-egress {names[number * 7 % INSTANCES]}")
        number += 1
    asked += [f"internet-ingress {names[n]} 443" for n in (0, 4, 1, 5)]
    asked += [f"internet-egress {names[n]} 192.168.1.10" for n in (1, 2)]
    asked += ["internet-egress-ipv6 app-1", "internet-ingress app-3 22"]
    return asked[:QUESTIONS]


def timed_runs(
    command: list[str], runs: int, env: dict[str, str]
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of ``runs`` runs of ``command``."""
    subprocess.run(command, env=env, check=False, capture_output=True)  # warm the byte-code cache
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, env=env, check=False, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def queries_per_second(text: str, rounds: int = 20) -> float:
    sys.path.insert(0, str(ROOT))
    from studytool.scenarios.scenario_file import answer_question, load_scenario

    scenario = load_scenario(text, "bench.yaml")
    asked = 0
    start = time.perf_counter()
    for _ in range(rounds):
        fresh = scenario.base_network.with_failures(*scenario.failures)
        scenario.network = fresh
        for question in scenario.questions:
            answer_question(scenario, question)
            asked += 1
    return asked / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (median)")
    options = parser.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as workdir:
        env["PYTHONPYCACHEPREFIX"] = str(Path(workdir) / "pycache")
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        scenario = Path(workdir) / "bench.yaml"
        text = scenario_text()
        scenario.write_text(text, encoding="utf-8")
        base = [sys.executable, "-m", "studytool"]
        check = subprocess.run(
            [*base, "check", str(scenario)], env=env, capture_output=True, text=True
        )
        if check.returncode != 0:
            sys.exit(f"studytool check failed:\n{check.stderr}")
        answered = sum(
            1
            for line in check.stdout.splitlines()
            if line.startswith("  ") and not line.startswith("    ")
        )
        help_times, check_times, help_cpu, check_cpu = [], [], [], []
        for _ in range(options.runs):  # interleaved, so load changes hit both alike
            walls, cpus = timed_runs([*base, "--help"], 1, env)
            help_times += walls
            help_cpu += cpus
            walls, cpus = timed_runs([*base, "check", str(scenario)], 1, env)
            check_times += walls
            check_cpu += cpus
    help_median = statistics.median(help_times)
    check_median = statistics.median(check_times)
    help_cpu_median, check_cpu_median = statistics.median(help_cpu), statistics.median(check_cpu)
    print(f"scenario: {INSTANCES} instances, {len(AZS)} AZs, {answered} questions answered")
    print(f"studytool --help          median {help_median * 1000:7.1f} ms ({options.runs} runs; "
          f"CPU {help_cpu_median * 1000:.1f} ms)")  # fmt: skip
    print(f"studytool check FILE      median {check_median * 1000:7.1f} ms ({options.runs} runs; "
          f"CPU {check_cpu_median * 1000:.1f} ms)")  # fmt: skip
    print(f"ratio check / --help      {check_median / help_median:.2f}  (goal <= 1.5)")
    print(f"ratio in CPU time         {check_cpu_median / help_cpu_median:.2f}")
    print(
        f"model queries per second  {queries_per_second(text):,.0f} (in-process, fresh "
        "network each round)"
    )


if __name__ == "__main__":
    main()
