// What the home and join pages share: sending a form to the API and showing what was wrong
// next to the field it was wrong in.
import { ApiError } from "./api.js";

export function showFieldErrors(form, errorBox, error, fieldIds) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  let message = error.detail || String(error);
  if (error instanceof ApiError) {
    for (const [field, messages] of Object.entries(error.fields)) {
      const input = document.getElementById(fieldIds[field] || "");
      if (input) {
        input.setAttribute("aria-invalid", "true");
        message = `${input.labels && input.labels[0] ? input.labels[0].textContent : field}: ${messages[0]}`;
      }
    }
  }
  errorBox.textContent = message;
  errorBox.hidden = false;
}

export function busy(form, isBusy) {
  for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = isBusy;
}
