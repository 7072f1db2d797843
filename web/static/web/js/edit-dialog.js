// Fixing an item's title, year or kind (whoever added it, or the host).
import { _ } from "./i18n.js";
import { api } from "./api.js";
import { $ } from "./ui.js";

export class EditDialog {
  constructor() {
    this.dialog = $("#edit-dialog");
    this.form = $("#edit-form");
    this.error = $("#edit-error");
    this.item = null;
    this.form.addEventListener("submit", (event) => this.save(event));
  }

  open(item) {
    this.item = item;
    const { elements } = this.form;
    elements.title.value = item.title;
    elements.year.value = item.year || "";
    this.form.querySelector(`input[name=media_type][value="${item.media_type}"]`).checked = true;
    this.error.hidden = true;
    this.dialog.showModal();
  }

  fail(text, field) {
    this.error.textContent = text;
    this.error.hidden = false;
    if (field) this.form.elements[field].focus();
  }

  async save(event) {
    event.preventDefault();
    const { elements } = this.form;
    const title = elements.title.value.trim();
    const yearText = elements.year.value.trim();
    if (!title) return this.fail(_("The title cannot be empty."), "title");
    if (yearText && !/^\d{4}$/.test(yearText)) return this.fail(_("The year is four digits, like 2002."), "year");
    const changes = {};
    if (title !== this.item.title) changes.title = title;
    const year = yearText ? Number(yearText) : null;
    if (year !== this.item.year) changes.year = year;
    const kind = this.form.querySelector("input[name=media_type]:checked").value;
    if (kind !== this.item.media_type) changes.media_type = kind;
    if (!Object.keys(changes).length) {
      this.dialog.close();
      return undefined;
    }
    try {
      await api("PATCH", `/queue/${this.item.id}`, changes);
      this.dialog.close();
    } catch (error) {
      this.fail(error.detail);
    }
    return undefined;
  }
}
