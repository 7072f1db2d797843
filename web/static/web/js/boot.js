// On every page: install the service worker that keeps the app's shell for offline starts.
// Browsers allow one only on https or localhost; elsewhere the app simply runs without it.
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  });
}
