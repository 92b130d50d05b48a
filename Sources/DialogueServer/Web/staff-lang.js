// The staff pages' language (console, review, barometer): any of the six interface
// languages, remembered in this browser for each person signed in, and for the signed-out
// page as the last choice made while nobody was signed in. One person's choice never becomes
// another's. The investor pages keep their own choice (lang.js).
import { LANGUAGES } from "/lang.js";

export const STAFF_LANGUAGES = LANGUAGES.map(([code]) => code);
const LAST_KEY = "ipa.staffLang";
const PERSON_KEY = "ipa.staffLang.";

/** The person's remembered language, else the signed-out page's, else the browser's, else English. */
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

/** The language `person` chose on this browser, or null. */
export function personLanguage(person) {
  const remembered = person ? read(PERSON_KEY + person) : null;
  return STAFF_LANGUAGES.includes(remembered) ? remembered : null;
}

/** The language a page takes when `person` signs in: theirs, else the one it shows. */
export function signedInLanguage(person, current) {
  return personLanguage(person) || current;
}

/** Remembers a choice made on a page: for `person` when someone is signed in, else for the
 *  signed-out page. */
export function rememberStaffLanguage(code, person = "") {
  if (!STAFF_LANGUAGES.includes(code)) return;
  write(person ? PERSON_KEY + person : LAST_KEY, code);
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
