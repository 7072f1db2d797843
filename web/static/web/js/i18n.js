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

// A sentence kept as data (watchqueue_site/phrases.py): {phrase, args}, worded with the forms
// the catalog sends for the page's language, so a pick reads in each screen's own language.
// Null when it cannot be worded (no catalog, or a phrase this page does not know): the caller
// shows the English the server stored instead.
export function phrased(said) {
  const forms = said && django && django.phrases ? django.phrases[said.phrase] : null;
  if (!forms) return null;
  const args = said.args || {};
  const values = {};
  for (const [name, value] of Object.entries(args)) {
    values[name] = phraseValue(value);
    if (values[name] === null) return null;
  }
  const form = forms.length > 1 ? forms[Number(django.pluralidx(Number(args.count) || 0))] : forms[0];
  return form === undefined ? null : format(form, values);
}

function phraseValue(value) {
  if (!value || typeof value !== "object") return value;
  if ("phrase" in value) return phrased(value);
  if ("number" in value) {
    const places = value.places === undefined ? 1 : value.places;
    return new Intl.NumberFormat(language, { minimumFractionDigits: places, maximumFractionDigits: places }).format(value.number);
  }
  if (Array.isArray(value.list)) {
    const items = value.list.map(phraseValue);
    return items.includes(null) ? null : phraseList(items, value.join);
  }
  return null;
}

function phraseList(items, join) {
  const separator = (django.phrases["list.separator"] || [", "])[0];
  if (join === "comma" || items.length <= 1) return items.join(separator);
  const last = items.pop();
  return phrased({ phrase: join === "or" ? "list.or" : "list.and", args: { head: items.join(separator), last } });
}
