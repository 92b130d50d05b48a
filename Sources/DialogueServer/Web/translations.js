// Shared by the investor page, the officer console and the review page: `translation`
// frames (contract section 4), where a reader's text comes from (the original, a machine
// translation, the phrasebook, a person), and the folding that makes searches ignore
// case and diacritics.

/** The `translation` object of an event, from a `translation` frame (`by`/`at`: human ones). */
export function translationOf(frame) {
  const translation = { text: frame.text, language: frame.language, engine: frame.engine, glossaryOk: frame.glossaryOk };
  if (frame.by && typeof frame.by === "object") translation.by = frame.by;
  if (typeof frame.at === "string") translation.at = frame.at;
  return translation;
}

/** How much a translation is worth: a person's beats the phrasebook, which beats a machine. */
export function translationRank(translation) {
  if (!translation || typeof translation.text !== "string") return 0;
  if (translation.engine === "human") return 3;
  if (translation.engine === "phrasebook") return 2;
  return 1;
}

/** Whether `incoming` should replace `current` for the same event and language: a later
 *  human translation replaces an earlier one; a machine one never replaces a person's. */
export function replaces(incoming, current) {
  return translationRank(incoming) >= translationRank(current);
}

/** The primary language subtag: `zh-Hans` reads `zh`. */
export function primaryLanguage(code) {
  return String(code || "").toLowerCase().split("-")[0];
}

/** A phrasebook event's text for `language`, as a translation (null when none). */
export function phraseTranslation(event, language) {
  const texts = event && event.phraseTexts && typeof event.phraseTexts === "object" ? event.phraseTexts : null;
  if (!texts || !language) return null;
  const code = Object.keys(texts).find((key) => primaryLanguage(key) === primaryLanguage(language));
  const text = code ? texts[code] : null;
  return typeof text === "string" && text ? { text, language: code, engine: "phrasebook", glossaryOk: true } : null;
}

/**
 * What a reader of `language` is shown for `event`:
 * `{kind: "original"|"machine"|"phrasebook"|"human", text, language, translation?}` —
 * `language` is the language of the text shown (the original's when nothing translates it).
 */
export function readingOf(event, language) {
  const original = { kind: "original", text: typeof event.text === "string" ? event.text : "", language: event.language || "" };
  const sameLanguage = !event.language || primaryLanguage(event.language) === primaryLanguage(language);
  if (sameLanguage) return original;
  let translation = event.translation;
  const usable =
    translation &&
    typeof translation.text === "string" &&
    translation.language &&
    primaryLanguage(translation.language) !== primaryLanguage(event.language);
  if (!usable) translation = null;
  const phrase = phraseTranslation(event, language);
  if (phrase && translationRank(phrase) > translationRank(translation)) translation = phrase;
  if (!translation) return original;
  const kind = provenanceKind(translation);
  return { kind, text: translation.text, language: translation.language, translation };
}

/** Where a translation comes from: "human", "phrasebook" or "machine". */
export function provenanceKind(translation) {
  return translation.engine === "human" ? "human" : translation.engine === "phrasebook" ? "phrasebook" : "machine";
}

/** The answer or draft's question seq (`replyTo`, else `about`), 0 for other events. */
export function replyTarget(event) {
  if (event.kind !== "answer" && event.kind !== "draft") return 0;
  const target = Number.isInteger(event.replyTo) ? event.replyTo : event.about;
  return Number.isInteger(target) ? target : 0;
}

/** What `welcome` says translates whole messages: an engine's name, null (nothing), or
 *  undefined (an older server that does not say). */
export function machineEngineOf(welcome) {
  const machine = welcome.machineTranslation;
  if (!machine || typeof machine !== "object" || !("engine" in machine)) return undefined;
  return typeof machine.engine === "string" ? machine.engine : null;
}

/** Folds text for searching: case, diacritics (đ = d), full/half width. */
export function fold(text) {
  return String(text || "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]+/g, "") // Latin diacritics only: kana keep their voicing marks
    .normalize("NFC")
    .replace(/[đĐ]/g, "d")
    .toLowerCase();
}

/**
 * Translations that came before their event. The server sends a translation as soon as it
 * is stored, also to a reader still taking its history, whose live events are held back
 * until the history is out: the event may come after it. A few are kept, so translations
 * of events never shown cannot make this grow.
 */
export class EarlyTranslations {
  constructor(limit = 200) {
    this.limit = limit;
    this.frames = new Map(); // seq -> translation frame
  }

  /** Keeps `frame` for its event, when that event is still to come (after `lastSeq`). */
  keep(frame, lastSeq) {
    if (frame.seq <= lastSeq) return;
    const current = this.frames.get(frame.seq);
    if (current && !replaces(translationOf(frame), translationOf(current))) return;
    this.frames.set(frame.seq, frame);
    if (this.frames.size > this.limit) this.frames.delete(this.frames.keys().next().value);
  }

  /** The translation kept for `seq`, once (null when none). */
  take(seq) {
    const frame = this.frames.get(seq);
    if (!frame) return null;
    this.frames.delete(seq);
    return translationOf(frame);
  }

  clear() {
    this.frames.clear();
  }
}
