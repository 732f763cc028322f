"""The AWS documentation pages the rules follow (one place, so a moved page is one edit)."""

from __future__ import annotations

VPC = "https://docs.aws.amazon.com/vpc/latest/userguide/"
ROUTE_TABLES = VPC + "VPC_Route_Tables.html"
ROUTE_PRIORITY = VPC + "route-tables-priority.html"
SUBNET_TYPES = VPC + "configure-subnets.html"
INTERNET_GATEWAY = VPC + "VPC_Internet_Gateway.html"
EGRESS_ONLY_GATEWAY = VPC + "egress-only-internet-gateway.html"
SECURITY_GROUPS = VPC + "vpc-security-groups.html"
SECURITY_GROUP_RULES = VPC + "security-group-rules.html"
NETWORK_ACLS = VPC + "vpc-network-acls.html"
NETWORK_ACL_RULES = VPC + "nacl-rules.html"
DEFAULT_NETWORK_ACL = VPC + "default-network-acl.html"
NAT_GATEWAY = VPC + "vpc-nat-gateway.html"
NAT_GATEWAY_SCENARIOS = VPC + "nat-gateway-scenarios.html"
NAT_GATEWAY_EIPS = (
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisassociateNatGatewayAddress.html"
)
NAT_INSTANCE = VPC + "VPC_NAT_Instance.html"
NAT_INSTANCE_WORK = VPC + "work-with-nat-instances.html"
IPV6 = VPC + "vpc-migrate-ipv6.html"
AZ = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones.html"
VPN_TUNNELS = "https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html"
VPN_ROUTING = "https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNRoutingTypes.html"
VPN_LIMITS = "https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html"
TGW_HOW = "https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html"
TGW_CREATE = "https://docs.aws.amazon.com/vpc/latest/tgw/create-tgw.html"
TGW_MULTICAST = "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-multicast-overview.html"
TGW_SHARING = "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html"
API_CACHING = (
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html"
)
API_STAGE = "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html"
