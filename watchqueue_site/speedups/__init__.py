"""Code that exists only for speed, in one place, all of it switched off by `SPEEDUPS=false`.

Off, the app runs Django's stock path: Django's own `ASGIHandler`, WhiteNoise's own middleware,
Django's SQLite backend with a connection per request (`CONN_MAX_AGE=0`), plain DRF
`ModelSerializer`s and the interpreter's own collector settings. Each module says what it
bought, measured with `bench/`, and when it can go:

- `asgi`: every request's sync code on one long-lived thread, entered once per request;
  async views on the event loop.
- `static`: WhiteNoise that an async middleware chain can hold, so the async views' chain has
  no sync middleware.
- `sqlite`: Django's SQLite backend, with closed connections kept in a pool.
- `serializers`: output serializers that build their fields once per class.
- `gc`: the collector tuned for a server holding many long-lived connections.

Who reads the switch: `watchqueue_site.settings` (the middleware and the database backend),
`watchqueue_site.asgi` (the HTTP handler, and `gc` when the server starts serving), and
`serializers` itself.
"""
