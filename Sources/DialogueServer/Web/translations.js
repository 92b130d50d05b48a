// Shared by the investor page and the officer console: `translation` frames (contract
// section 4) for the reader's events.

/** The `translation` object of an event, from a `translation` frame (a person's carries
 *  `by` and `at`, as in history). */
export function translationOf(frame) {
  const translation = { text: frame.text, language: frame.language, engine: frame.engine, glossaryOk: frame.glossaryOk };
  if (frame.by) {
    translation.by = frame.by;
    translation.at = frame.at;
  }
  return translation;
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
