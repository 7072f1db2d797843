"""How friends reach a room: one join link, the one the phones around can open, and its QR code.

A phone cannot open a loopback address (`localhost`, 127.0.0.1, ::1): that is the phone itself.
So a page reached by one shows the machine's LAN address instead, and only when the server
listens on it: a server bound to 127.0.0.1 answers nobody but this machine, and a link to the
LAN address would not work. Then the page says so in words, and how to fix it, and shows no link.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass

import segno
from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NO_NETWORK = _(
    "Phones can't reach this server: this computer is on no network. Connect it to your "
    "Wi-Fi, then reload this page."
)
LOOPBACK_ONLY = _(
    "Phones can't reach this server: it listens only on this computer. Stop it and start "
    "it again with HOST=0.0.0.0 ./scripts/start.sh, then reload this page."
)
# A probe's answer is kept this long, so a page view costs no connection attempt.
_PROBE_SECONDS = 30
_probes: dict[tuple[str, int], tuple[float, bool]] = {}


@dataclass(frozen=True)
class JoinAddress:
    """The join link phones can open and its QR code, or, when there is none, why not."""

    url: str = ""
    qr_svg: str = ""
    problem: str = ""


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address, IPv6 in brackets or not) is this machine only."""
    name = host.strip("[]").lower().rstrip(".")
    address = _address(name)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    return bool(address and address.is_loopback)


def is_unspecified(host: str) -> bool:
    """0.0.0.0 or ::, which a server binds to listen on every interface, and no phone opens."""
    address = _address(host)
    return bool(address and address.is_unspecified)


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


def listens_on(address: str, port: int) -> bool:
    """Whether this server answers on `address`, not only on a loopback one.

    `LISTEN_ADDRESS` (the address daphne was given, as scripts/start.sh passes its HOST) says
    so when set. Otherwise one connection to `address:port` finds out: it never leaves this
    machine, and a server bound to 127.0.0.1 refuses it at once.
    """
    if settings.LISTEN_ADDRESS:
        return not is_loopback(settings.LISTEN_ADDRESS)
    now = time.monotonic()
    known = _probes.get((address, port))
    if known and now - known[0] < _PROBE_SECONDS:
        return known[1]
    try:
        socket.create_connection((address, port), timeout=0.5).close()
        answers = True
    except OSError:
        answers = False
    _probes[(address, port)] = (now, answers)
    return answers


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, sized by CSS."""
    return segno.make(url, error="m").svg_inline(
        scale=1, border=2, dark="#0e1016", light="#ffffff", omitsize=True, svgclass="qr"
    )


def join_address(request: HttpRequest, code: str) -> JoinAddress:
    """The room's join link as phones can open it: as the page was reached, unless that was a
    loopback address; then at this machine's LAN address, when the server listens there."""
    path = reverse("web:join", kwargs={"code": code})
    hostname, port = split_domain_port(request.get_host())
    if not (is_loopback(hostname) or is_unspecified(hostname)):
        url = request.build_absolute_uri(path)
        return JoinAddress(url=url, qr_svg=qr_svg(url))
    lan = lan_address()
    configured = settings.LISTEN_ADDRESS
    if configured and not (is_loopback(configured) or is_unspecified(configured)):
        # Bound to one address: that is the one to open.
        lan = configured.strip("[]")
    if lan is None:
        return JoinAddress(problem=NO_NETWORK)
    # The port the page was reached by, which is the one daphne listens on when reached directly.
    port = port or request.get_port()
    if not listens_on(lan, int(port)):
        return JoinAddress(problem=LOOPBACK_ONLY)
    default = {"http": "80", "https": "443"}.get(request.scheme)
    host = f"[{lan}]" if ":" in lan else lan
    url = f"{request.scheme}://{host}{'' if port == default else ':' + port}{path}"
    return JoinAddress(url=url, qr_svg=qr_svg(url))
