// Shared by the investor page, the officer console and the review page: how untrusted text
// (messages, names, passages) and its glossary terms reach the page — always as text nodes,
// never as HTML — plus the small helpers all three need.

/**
 * Appends `text` to `container` with its glossary terms marked. Offsets are UTF-16 code
 * units, as JavaScript strings index them. A term is a `span.term` that a pointer shows the
 * approved form of (`data-translation`, through CSS on hover); it is no Tab stop and has no
 * label of its own, so screen readers hear the text as written. The terms are offered on
 * request by `termsDisclosure`. Returns the terms marked: `[{written, approved}]`.
 */
export function appendWithTerms(container, text, terms) {
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
  const marked = [];
  let cursor = 0;
  for (const term of usable) {
    if (term.start < cursor) continue; // overlapping: keep the first
    if (term.start > cursor) container.append(text.slice(cursor, term.start));
    const span = document.createElement("span");
    span.className = "term";
    span.textContent = text.slice(term.start, term.end);
    if (term.concept) span.dataset.concept = String(term.concept);
    const approved = typeof term.translation === "string" && term.translation ? term.translation : span.textContent;
    span.dataset.translation = approved;
    container.append(span);
    marked.push({ written: span.textContent, approved });
    cursor = term.end;
  }
  if (cursor < text.length) container.append(text.slice(cursor));
  return marked;
}

/**
 * A message's glossary terms behind one disclosure (`<details>`, "Terms (3)"): the
 * message's only Tab stop for them, however many there are. Opened, it lists each term as
 * written and its approved form in the reader's language. A details element keeps its open
 * state and its focus through the pages' re-renders. Null when `marked` is empty.
 */
export function termsDisclosure(marked, label, textLanguage, readerLanguage) {
  const unique = [];
  const seen = new Set();
  for (const term of marked || []) {
    const key = `${term.written}\u0000${term.approved}`;
    if (!seen.has(key)) {
      seen.add(key);
      unique.push(term);
    }
  }
  if (!unique.length) return null;
  const box = document.createElement("details");
  box.className = "terms-box";
  const summary = document.createElement("summary");
  summary.className = "terms-toggle";
  summary.textContent = label(unique.length);
  const list = document.createElement("dl");
  list.className = "terms-list";
  for (const term of unique) {
    const written = document.createElement("dt");
    written.textContent = term.written;
    if (textLanguage) written.lang = textLanguage;
    const approved = document.createElement("dd");
    approved.textContent = term.approved;
    if (readerLanguage) approved.lang = readerLanguage;
    list.append(written, approved);
  }
  box.append(summary, list);
  return box;
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

/**
 * The language `text` is visibly written in, for its `lang` attribute: `claimed` unless the
 * letters' scripts clearly contradict it (kana: Japanese; Hangul: Korean; Han without kana:
 * Chinese, or Japanese when claimed; Latin under a CJK claim: Vietnamese with its own
 * letters, else English). The same rules as the server's WrittenLanguage (Dialogue module).
 */
export function writtenLanguage(text, claimed) {
  let kana = 0;
  let hangul = 0;
  let han = 0;
  let latin = 0;
  let vietnamese = 0;
  for (const char of String(text || "")) {
    const c = char.codePointAt(0);
    if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x31f0 && c <= 0x31ff) || (c >= 0xff66 && c <= 0xff9f)) kana++;
    else if ((c >= 0xac00 && c <= 0xd7af) || (c >= 0x1100 && c <= 0x11ff) || (c >= 0x3130 && c <= 0x318f)) hangul++;
    else if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)) han++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c <= 0x24f)) latin++;
    else if (c >= 0x1e00 && c <= 0x1eff) {
      latin++;
      if (c >= 0x1ea0) vietnamese++;
    }
    if ("đĐơƠưƯăĂ".includes(char)) vietnamese++;
  }
  const letters = kana + hangul + han + latin;
  if (!letters || !claimed) return claimed || "";
  const primary = String(claimed).toLowerCase().split("-")[0];
  if (kana * 10 >= letters && (kana + han) * 2 >= letters) return primary === "ja" ? claimed : "ja";
  if (hangul * 2 >= letters) return primary === "ko" ? claimed : "ko";
  if (han * 2 >= letters) return primary === "ja" || primary === "zh" ? claimed : "zh";
  if (latin * 2 >= letters && ["ja", "ko", "zh"].includes(primary)) return vietnamese ? "vi" : "en";
  return claimed;
}
