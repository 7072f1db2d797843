// On every page: install the service worker that keeps the app's shell for offline starts.
// Browsers allow one only on https or localhost; elsewhere the app simply runs without it.
// The worker's address carries the page's language, so that it keeps the shell in that language.
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    const language = encodeURIComponent(document.documentElement.lang || "en");
    navigator.serviceWorker.register(`/sw.js?lang=${language}`, { scope: "/" }).catch(() => {});
  });
}

// The language switch (in the home page and the room's menu): Django's language cookie, which
// wins over the browser's languages from then on, and the page again in the new language.
for (const select of document.querySelectorAll("select[data-language-switch]")) {
  select.addEventListener("change", () => {
    const year = 365 * 24 * 3600;
    document.cookie = `${select.dataset.cookie}=${encodeURIComponent(select.value)}; path=/; max-age=${year}; samesite=lax`;
    location.reload();
  });
}
