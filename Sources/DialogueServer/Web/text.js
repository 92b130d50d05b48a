// Shared by the investor page, the officer console and the review page: how untrusted text
// (messages, names, passages) and its glossary terms reach the page — always as text nodes,
// never as HTML — plus the small helpers all three need.

/**
 * Appends `text` to `container` with its glossary terms marked. Offsets are UTF-16 code
 * units, as JavaScript strings index them. Each term is a focusable `span.term` whose title
 * (and `data-translation`, which CSS shows on focus or tap) is the approved form for the
 * reader; `describe(written, approved)`, when given, makes its accessible name.
 */
export function appendWithTerms(container, text, terms, describe) {
  const usable = (Array.isArray(terms) ? terms : [])
    .filter(
      (term) =>
        term &&
        Number.isInteger(term.start) &&
        Number.isInteger(term.end) &&
        term.start >= 0 &&
        term.start < term.end &&
        term.end <= text.length,
    )
    .sort((a, b) => a.start - b.start);
  let cursor = 0;
  for (const term of usable) {
    if (term.start < cursor) continue; // overlapping: keep the first
    if (term.start > cursor) container.append(text.slice(cursor, term.start));
    const span = document.createElement("span");
    span.className = "term";
    span.textContent = text.slice(term.start, term.end);
    if (term.concept) span.dataset.concept = String(term.concept);
    const approved = typeof term.translation === "string" && term.translation ? term.translation : span.textContent;
    span.title = approved;
    span.dataset.translation = approved;
    span.tabIndex = 0;
    if (describe) span.setAttribute("aria-label", describe(span.textContent, approved));
    container.append(span);
    cursor = term.end;
  }
  if (cursor < text.length) container.append(text.slice(cursor));
}

/** A language's name written in `uiLanguage` (`ja` → "Japanese" for an English page). */
export function languageName(code, uiLanguage) {
  if (!code) return "";
  try {
    const name = new Intl.DisplayNames([uiLanguage], { type: "language" }).of(code);
    return name && name !== code ? name : code;
  } catch {
    return code;
  }
}

/** A random UUID for `clientId`; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function newClientId() {
  if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether a citation's `source` may become a link: http(s) only, never `javascript:`. */
export function isWebAddress(source) {
  return typeof source === "string" && /^https?:\/\//i.test(source);
}
