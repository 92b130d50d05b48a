// The staff pages' language (console, review, barometer): any of the six interface
// languages, remembered in this browser for the person signed in and, before anyone signs
// in, as the last choice made here. The investor pages keep their own choice (lang.js).
import { LANGUAGES } from "/lang.js";

export const STAFF_LANGUAGES = LANGUAGES.map(([code]) => code);
const LAST_KEY = "ipa.staffLang";
const PERSON_KEY = "ipa.staffLang.";

/** The person's remembered language, else the last one chosen here, else the browser's, else English. */
export function initialStaffLanguage(person = "") {
  const remembered = (person && read(PERSON_KEY + person)) || read(LAST_KEY) || read("ipa.consoleLang");
  if (STAFF_LANGUAGES.includes(remembered)) return remembered;
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  for (const tag of wanted) {
    const primary = String(tag || "").toLowerCase().split("-")[0];
    if (STAFF_LANGUAGES.includes(primary)) return primary;
  }
  return "en";
}

/** The language `person` chose (signed in), else the one chosen before signing in. */
export function personLanguage(person) {
  const remembered = person ? read(PERSON_KEY + person) : null;
  return STAFF_LANGUAGES.includes(remembered) ? remembered : null;
}

/** Remembers a choice: for `person` when someone is signed in, and as the last choice. */
export function rememberStaffLanguage(code, person = "") {
  if (!STAFF_LANGUAGES.includes(code)) return;
  write(LAST_KEY, code);
  if (person) write(PERSON_KEY + person, code);
}

/** Fills a <select> with the six languages, each named in itself. */
export function fillStaffLanguageSelect(select, current) {
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

function read(key) {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled
  }
}

function write(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Storage full or disabled: the choice is not remembered.
  }
}
