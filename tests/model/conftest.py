"""Hand-built topologies shared by the rule model tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from studytool.model.topology import Network, Vpc


def build_two_az(per_az_nat: bool = False) -> Network:
    """Two AZs (a, b), a public and a private subnet in each, an attached igw-1.

    nat-a sits in public-a. With ``per_az_nat`` nat-b sits in public-b and private-b routes to
    it; otherwise both private subnets share nat-a. Instances: web-a (public-a, public IP),
    app-a (private-a), app-b (private-b).
    """
    net = Network(Vpc(cidr="10.0.0.0/16", internet_gateway="igw-1"))
    net.add_route_table("rt-public", {"0.0.0.0/0": "igw-1"})
    net.add_route_table("rt-private-a", {"0.0.0.0/0": "nat-a"})
    net.add_route_table("rt-private-b", {"0.0.0.0/0": "nat-b" if per_az_nat else "nat-a"})
    net.add_subnet("public-a", "a", "rt-public", cidr="10.0.0.0/24")
    net.add_subnet("public-b", "b", "rt-public", cidr="10.0.1.0/24")
    net.add_subnet("private-a", "a", "rt-private-a", cidr="10.0.10.0/24")
    net.add_subnet("private-b", "b", "rt-private-b", cidr="10.0.11.0/24")
    net.add_nat_gateway("nat-a", "public-a", "eip-a")
    if per_az_nat:
        net.add_nat_gateway("nat-b", "public-b", "eip-b")
    net.add_instance("web-a", "public-a", public_ip=True)
    net.add_instance("app-a", "private-a")
    net.add_instance("app-b", "private-b")
    return net


@pytest.fixture
def two_az() -> Callable[..., Network]:
    return build_two_az
