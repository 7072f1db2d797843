"""The image's health check: GET /health from inside the container, as a host the app allows.

ALLOWED_HOSTS may name only the public host, and Django refuses any other Host header, so the
check sends the first allowed one (`*` allows any; `.example.com` means example.com too).
"""

import os
import sys
import urllib.request

allowed = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "*").split(",") if host.strip()]
host = allowed[0].lstrip(".") if allowed and allowed[0] != "*" else "localhost"
request = urllib.request.Request("http://127.0.0.1:8000/health", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=3) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:
    print(f"unhealthy: {error}", file=sys.stderr)
    sys.exit(1)
