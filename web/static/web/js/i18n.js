// The page's words in its language: Django's JavaScript catalog (web/catalog.py), loaded by the
// page before any module, defines `django.gettext` and friends. Without it the English stands.
const django = globalThis.django;

export function gettext(text) {
  return django ? django.gettext(text) : text;
}

export const _ = gettext;

export function ngettext(one, many, count) {
  return django ? django.ngettext(one, many, count) : count === 1 ? one : many;
}

export function pgettext(context, text) {
  return django ? django.pgettext(context, text) : text;
}

// "%(name)s is here" with {name: "Bob"}: the named placeholders of Python's format, which the
// translators see in the catalog as they are; "%%" is a percent sign.
export function format(text, values) {
  return text.replace(/%\((\w+)\)s|%%/g, (whole, key) => (whole === "%%" ? "%" : key in values ? String(values[key]) : whole));
}

// The page's language, for dates, numbers and lists.
export const language = document.documentElement.lang || "en";

// "Drama, Comedy and Horror" ("or" for a choice): in English without the serial comma, as the
// app has always written it; in another language as it writes lists.
export function listWords(words, conjunction = "and") {
  if (words.length <= 1) return words.join("");
  if (language === "en") return `${words.slice(0, -1).join(", ")} ${conjunction} ${words[words.length - 1]}`;
  return new Intl.ListFormat(language, { type: conjunction === "or" ? "disjunction" : "conjunction" }).format(words);
}
