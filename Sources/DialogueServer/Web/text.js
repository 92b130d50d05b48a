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

/** A file size for people, in the reader's language: "830 B", "12.4 kB", "3.1 MB". */
export function formatBytes(size, uiLanguage) {
  const bytes = Number(size);
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  const [unit, value] =
    bytes < 1000 ? ["byte", bytes] : bytes < 1000 * 1000 ? ["kilobyte", bytes / 1000] : ["megabyte", bytes / 1000 / 1000];
  try {
    // "728 B" everywhere: several languages spell the short byte unit out ("728 byte").
    if (unit === "byte") return `${new Intl.NumberFormat(uiLanguage).format(value)} B`;
    return new Intl.NumberFormat(uiLanguage, {
      style: "unit",
      unit,
      unitDisplay: "short",
      maximumFractionDigits: unit === "byte" ? 0 : 1,
    }).format(value);
  } catch {
    return `${Math.round(value * 10) / 10} ${{ byte: "B", kilobyte: "kB", megabyte: "MB" }[unit]}`;
  }
}

/** A short name for a file's media type: "PDF", "PNG", "JPEG", "SVG"… */
export function fileTypeLabel(type) {
  const known = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
    "image/gif": "GIF",
    "image/svg+xml": "SVG",
    "text/plain": "TXT",
    "text/markdown": "Markdown",
    "text/html": "HTML",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
  };
  const bare = String(type || "").toLowerCase().split(";")[0].trim();
  if (known[bare]) return known[bare];
  const sub = bare.split("/")[1] || bare;
  return sub ? sub.toUpperCase() : "";
}

/** Whether `url` is on this page's own origin (a path, or an absolute URL of the same
 *  origin): the only place a page may send its token or invite code to. */
export function isOwnOrigin(url) {
  if (typeof url !== "string" || !url) return false;
  try {
    return new URL(url, location.href).origin === location.origin;
  } catch {
    return false;
  }
}

/** Whether an image address may be shown as `<img src>`: a path of this site or http(s). */
export function isImageAddress(url) {
  return typeof url === "string" && (/^\/(?!\/)/.test(url) || isWebAddress(url));
}
