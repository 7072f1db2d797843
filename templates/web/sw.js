// WatchQueue's service worker: the app's shell (styles, scripts, icons, the offline page) from a
// cache, so it opens at once and says it is offline when the server is out of reach; never the
// room's data, which always comes from the server. The shell's files have their content's hash in
// their names, so a cached file is never stale: a changed file is a new name, in a new worker
// with a new cache, and the old caches go when it takes over.
// One worker per language (boot.js): its cache holds the scripts' words and the offline page
// in that language.
const CACHE = "watchqueue-shell-{{ version }}";
const SHELL = {{ shell|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/jsi18n/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    // Pages carry the room's state and the member's token: always from the network.
    event.respondWith(fetch(request).catch(() => caches.match("/offline")));
  }
  // Everything else (the API, the event streams) goes to the network untouched.
});
