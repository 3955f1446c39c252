"""Exchange's RemoteIPRanges expressions as address ranges (Python's ipaddress).

Exchange (Microsoft.Exchange.Data.IPRange) writes a range in one of four forms: one
address (`192.0.2.7`), a span (`192.0.2.1-192.0.2.99`), CIDR (`192.0.2.0/24`) or an address
with its mask (`192.0.2.0(255.255.255.0)`). IPv6 in the same forms.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AddressRange:
    first: Address
    last: Address

    @property
    def size(self) -> int:
        return int(self.last) - int(self.first) + 1

    @property
    def networks(self) -> list[Network]:
        return list(ipaddress.summarize_address_range(self.first, self.last))

    @property
    def cidr(self) -> str | None:
        """The range as one CIDR block, when it is one."""
        networks = self.networks
        return str(networks[0]) if len(networks) == 1 else None

    @property
    def everything(self) -> bool:
        """0.0.0.0/0 or ::/0: every address of its family."""
        return self.size == 2 ** self.first.max_prefixlen

    @property
    def public(self) -> bool:
        """Whether any address of it is globally routable (not private, reserved, shared...)."""
        return any(network.is_global for network in self.networks)

    def contains(self, address: Address) -> bool:
        return (address.version == self.first.version
                and int(self.first) <= int(address) <= int(self.last))

    def wider_than(self, prefix_length: int) -> bool:
        """More addresses than one block of `prefix_length` holds."""
        return self.size > 2 ** (self.first.max_prefixlen - prefix_length)


def parse_range(expression: str) -> AddressRange:
    """A RemoteIPRanges expression; ValueError (one line, naming it) when it is not one."""
    text = expression.strip()
    try:
        if "(" in text and text.endswith(")"):   # 192.0.2.0(255.255.255.0)
            base, mask = text[:-1].split("(", 1)
            network = ipaddress.ip_network(f"{base.strip()}/{mask.strip()}", strict=False)
            return AddressRange(network[0], network[-1])
        if "/" in text:
            network = ipaddress.ip_network(text, strict=False)
            return AddressRange(network[0], network[-1])
        if "-" in text:
            low, high = (ipaddress.ip_address(part.strip()) for part in text.split("-", 1))
            if low.version != high.version:
                raise ValueError("mixes IPv4 and IPv6")
            if int(low) > int(high):
                raise ValueError("its first address is above its last")
            return AddressRange(low, high)
        address = ipaddress.ip_address(text)
        return AddressRange(address, address)
    except ValueError as exc:
        detail = str(exc)
        raise ValueError(f"{expression!r} is not an address, a range or a CIDR block"
                         + (f" ({detail})" if "mixes" in detail or "above" in detail else "")) from None


def size_text(size: int) -> str:
    """How many addresses, readably: 1, 256, 65,536, 2^64."""
    if size > 2 ** 32 and size & (size - 1) == 0:
        return f"2^{size.bit_length() - 1}"
    return f"{size:,}"
