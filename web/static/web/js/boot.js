// On every page: install the service worker that keeps the app's shell for offline starts.
// Browsers allow one only on https or localhost; elsewhere the app simply runs without it.
// The worker's address carries the page's language, so that it keeps the shell in that language.
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    const language = encodeURIComponent(document.documentElement.lang || "en");
    navigator.serviceWorker.register(`/sw.js?lang=${language}`, { scope: "/" }).catch(() => {});
  });
}

// The language switch (in the home page and the room's menu) is Django's set_language form: the
// server sets its language cookie, which wins over the browser's languages from then on, and
// sends the page back in the new language. A choice sends it at once.
for (const select of document.querySelectorAll("select[data-language-switch]")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}
