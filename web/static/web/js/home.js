// The home page: create a room, or find one by its code.
import { _ } from "./i18n.js";
import { api, rememberToken } from "./api.js";
import { busy, showFieldErrors } from "./forms.js";

const createForm = document.getElementById("create-form");
const createError = document.getElementById("create-error");

createForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(createForm);
  const body = {
    name: data.get("name").trim(),
    members: [{ name: data.get("your_name").trim(), avatar: data.get("avatar") || "" }],
    settings: {
      selection_mode: data.get("selection_mode"),
      voting_duration_seconds: Number(data.get("voting_duration_seconds")),
      allow_revotes: data.get("allow_revotes") === "on",
    },
  };
  if (!body.name || !body.members[0].name) {
    const missing = !body.name ? "room-name" : "your-name";
    document.getElementById(missing).setAttribute("aria-invalid", "true");
    document.getElementById(missing).focus();
    createError.textContent = !body.name ? _("Give the room a name.") : _("Tell your friends who you are.");
    createError.hidden = false;
    return;
  }
  busy(createForm, true);
  try {
    const created = await api("POST", "/rooms", body);
    await rememberToken(created.room.id, created.token);
    location.assign(`/r/${created.room.id}?invite=1`);
  } catch (error) {
    showFieldErrors(createForm, createError, error, { name: "room-name", "members.0.name": "your-name" });
    busy(createForm, false);
  }
});

const codeForm = document.getElementById("code-form");
const codeInput = document.getElementById("code");
codeForm.addEventListener("submit", (event) => {
  const code = codeInput.value.replace(/[\s-]+/g, "").toUpperCase();
  event.preventDefault();
  if (!code) {
    codeInput.setAttribute("aria-invalid", "true");
    codeInput.focus();
    return;
  }
  location.assign(`/join/${encodeURIComponent(code)}`);
});
