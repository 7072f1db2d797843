"""Code that exists only for speed, in one place, all of it switched off by `SPEEDUPS=false`.

Off, the app runs Django's stock path: Django's own `ASGIHandler`, WhiteNoise's own middleware,
a SQLite connection per request (`CONN_MAX_AGE=0`), plain DRF `ModelSerializer`s and the
interpreter's own collector settings. Each module says what it bought, measured with `bench/`,
and when it can go:

- `asgi`: every request's sync code on one long-lived thread, entered once per request;
  async views on the event loop.
- `static`: WhiteNoise that an async middleware chain can hold, so the async views' chain has
  no sync middleware.
- `serializers`: output serializers that build their fields once per class.
- `gc`: the collector tuned for a server holding many long-lived connections.

And one setting: with the speed-ups, SQLite connections stay open between requests
(`CONN_MAX_AGE=None`), which only pays, and only stays safe, with every request's sync code on
`asgi`'s one thread; see `watchqueue_site.settings`.

Who reads the switch: `watchqueue_site.settings` (the middleware and the database connections),
`watchqueue_site.asgi` (the HTTP handler, and `gc` when the server starts serving), and
`serializers` itself.
"""
