"""How friends reach a room: its join link, the machine's LAN address, and QR codes of both.

The link uses the address the visitor reached the server by, which works for whoever is already
there. A host who opened the app as `localhost` needs the machine's LAN address for the phones
around them, so the host is shown that link too (the seed's "Sharing with Friends").
"""

import ipaddress
import socket
from dataclasses import dataclass

import segno
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.urls import reverse

LOCAL_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1"}


@dataclass(frozen=True)
class Invite:
    url: str
    qr_svg: str
    label: str = ""  # where the link works, when there are several


def lan_address() -> str | None:
    """This machine's address on its local network, or None.

    Connecting a UDP socket sends nothing; it only makes the kernel choose the interface it
    would route by, whose address is the one the other devices on the network can reach.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 1))
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_loopback else address


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, sized by CSS."""
    return segno.make(url, error="m").svg_inline(
        scale=1, border=2, dark="#0e1016", light="#ffffff", omitsize=True, svgclass="qr"
    )


def invites(request: HttpRequest, code: str, *, for_host: bool) -> list[Invite]:
    """The join link as the visitor reached the server and, for the host, the LAN one."""
    path = reverse("web:join", kwargs={"code": code})
    here = request.build_absolute_uri(path)
    hostname, port = split_domain_port(request.get_host())
    local = hostname in LOCAL_NAMES
    lan = lan_address()
    if not (lan and hostname != lan and (for_host or local)):
        return [Invite(url=here, qr_svg=qr_svg(here))]
    # The port the visitor used, which is the one daphne listens on when reached directly.
    port = port or request.get_port()
    default = {"http": "80", "https": "443"}.get(request.scheme)
    lan_link = f"{request.scheme}://{lan}{'' if port == default else ':' + port}{path}"
    links = [
        (lan_link, "On this Wi-Fi"),
        (here, "On this computer" if local else "As you opened it"),
    ]
    if not local:
        # Reached by another name (a tunnel, a host name): that link leads.
        links.reverse()
    return [Invite(url=url, qr_svg=qr_svg(url), label=label) for url, label in links]
