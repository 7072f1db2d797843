// The join page, where a join link or QR code lands: pick who you are and come in, or make this
// device the room's TV screen.
import { _, format } from "./i18n.js";
import { api, rememberToken } from "./api.js";
import { busy, showFieldErrors } from "./forms.js";

const form = document.getElementById("join-form");
const nameInput = document.getElementById("your-name");

if (form) {
  const errorBox = document.getElementById("join-error");
  const code = form.dataset.code;

  // Claiming a listed place fills in the name and avatar the host gave it.
  for (const place of form.querySelectorAll("input[name=user_id]")) {
    place.addEventListener("change", () => {
      if (!place.checked || !place.value) return;
      nameInput.value = place.dataset.name;
      const avatar = form.querySelector(`input[name=avatar][value="${CSS.escape(place.dataset.avatar)}"]`);
      if (avatar) avatar.checked = true;
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { name: nameInput.value.trim(), avatar: data.get("avatar") || "" };
    if (data.get("user_id")) body.user_id = data.get("user_id");
    if (!body.name) {
      nameInput.setAttribute("aria-invalid", "true");
      nameInput.focus();
      errorBox.textContent = _("Tell your friends who you are.");
      errorBox.hidden = false;
      return;
    }
    busy(form, true);
    try {
      const joined = await api("POST", `/rooms/${encodeURIComponent(code)}/join`, body);
      await rememberToken(joined.room.id, joined.token);
      location.assign(`/r/${joined.room.id}`);
    } catch (error) {
      showFieldErrors(form, errorBox, error, { name: "your-name" });
      if (error.code === "name_taken") {
        // Names tell people apart in the room: say which one, at the field that has it.
        errorBox.textContent = format(_("Someone in this room is already called %(name)s: choose another name, or add an initial."), { name: body.name });
        nameInput.setAttribute("aria-invalid", "true");
        nameInput.setAttribute("aria-describedby", "join-error");
        nameInput.focus();
      }
      busy(form, false);
    }
  });
}

const screenButton = document.getElementById("screen-button");
screenButton.addEventListener("click", async () => {
  const errorBox = document.getElementById("screen-error");
  screenButton.disabled = true;
  try {
    const opened = await api("POST", `/rooms/${encodeURIComponent(screenButton.dataset.code)}/screen`, { label: "TV" });
    // A member's own device keeps its member token: it can show the TV view with that.
    if (!screenButton.dataset.member) await rememberToken(opened.room.id, opened.token);
    location.assign(`/r/${opened.room.id}/tv`);
  } catch (error) {
    errorBox.textContent = error.detail || String(error);
    errorBox.hidden = false;
    screenButton.disabled = false;
  }
});
