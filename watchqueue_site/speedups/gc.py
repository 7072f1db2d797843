"""The collector tuned for a server holding many long-lived connections.

Bought: with 1,000 WebSocket clients open, full collections walked every connection's objects
for 150 to 220 ms, stalling the event loop and every delivery behind it. With the one-hop
request chain (`speedups.asgi`), bench/realtime.py at 100 votes/s went from a p99 to the room's
last client of 313 ms to 27 ms.

Can go when the interpreter's collector no longer pauses for the whole heap (an incremental
collector): check with bench/realtime.py, speed-ups on and off, before removing it.
"""

import gc


def tune() -> None:
    """Freeze what the process has loaded, and collect young objects less often.

    Called once, when the server starts serving (`watchqueue_site.asgi.server_started`), not on
    import: by then Django, the apps and their modules are loaded, and they live as long as the
    process, so frozen they are no longer walked by every full collection. A larger first
    generation makes collections rarer, so fewer objects that are merely in flight are promoted
    to the old generation, whose growth is what triggers the full collections.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
