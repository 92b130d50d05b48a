// Shared by the landing page (site.js) and the investor page (join.js):
// the six interface languages, the initial choice, and the remembered preference.

/** Interface languages, each with its name written in that language. */
export const LANGUAGES = [
  ["vi", "Tiếng Việt"],
  ["en", "English"],
  ["fr", "Français"],
  ["ja", "日本語"],
  ["ko", "한국어"],
  ["zh", "中文"],
];

const CODES = LANGUAGES.map(([code]) => code);
const PREFERENCE_KEY = "ipa.lang";

/** Whether `code` is one of the interface languages. */
export function isLanguage(code) {
  return CODES.includes(code);
}

/** The remembered choice, else the browser's first supported language, else English. */
export function initialLanguage() {
  const remembered = readStorage(localStorageOrNull(), PREFERENCE_KEY);
  if (isLanguage(remembered)) return remembered;
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    const primary = String(tag || "").toLowerCase().split("-")[0];
    if (isLanguage(primary)) return primary;
  }
  return "en";
}

/** Remembers the reader's choice for the next visit (both pages share it). */
export function rememberLanguage(code) {
  const storage = localStorageOrNull();
  if (storage && isLanguage(code)) {
    try {
      storage.setItem(PREFERENCE_KEY, code);
    } catch {
      // Storage full or disabled: the choice simply is not remembered.
    }
  }
}

/** Fills a <select> with the languages, selecting `current`. */
export function fillLanguageSelect(select, current) {
  select.replaceChildren();
  for (const [code, name] of LANGUAGES) {
    const option = document.createElement("option");
    option.value = code;
    option.lang = code;
    option.textContent = name;
    option.selected = code === current;
    select.append(option);
  }
}

/** Replaces `{name}` placeholders in a template. */
export function format(template, values = {}) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

/** Sets textContent of every `[data-i18n]` element under `root` from `strings`. */
export function applyStrings(root, strings) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    const text = strings[element.dataset.i18n];
    if (typeof text === "string") element.textContent = text;
  }
  for (const element of root.querySelectorAll("[data-i18n-label]")) {
    const text = strings[element.dataset.i18nLabel];
    if (typeof text === "string") element.setAttribute("aria-label", text);
  }
}

function localStorageOrNull() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function readStorage(storage, key) {
  try {
    return storage ? storage.getItem(key) : null;
  } catch {
    return null;
  }
}
