// The conversation protocol (contract section 4, docs/protocol.md) for the investor page and
// the officer console: one connection to a live session — hello, then resume or join; the
// catch-up `history`; live events once each, in order; the outbox of `say`/`ask` frames
// until their `ack`; reconnection with back-off; translations that come before their
// event. Pages own only their view: they listen to what a Conversation reports and call
// its methods. No DOM here: the socket class, timers, clock and randomness are injected, so
// node's test runner drives it with a fake socket (Tests/web/).
//
// Imports are relative: the browser resolves them to the same URLs the pages use
// ("/translations.js"), so the page and this module share one instance of each.
import { EarlyTranslations, primaryLanguage, replaces, translationOf } from "./translations.js";
import { newClientId as randomClientId } from "./text.js";
import { closeSocket } from "./socket.js";

// WebSocket readyState OPEN (the constants are not on node's global before node 22).
const OPEN = 1;

/** The first reconnect waits about this long; each failed attempt doubles it. */
export const BACKOFF_MIN_MS = 1000;
/** No reconnect waits longer than this. */
export const BACKOFF_MAX_MS = 30000;
/** An `error` without `ref` this soon after an action (approve, moderate…) is about it. */
export const ACTION_WINDOW_MS = 15000;
/** A socket closed to reconnect (new language) that has not closed by then is given up. */
export const RESTART_CLOSE_WAIT_MS = 3000;

/**
 * How long to wait before reconnect attempt number `attempt` (0 first): exponential from
 * BACKOFF_MIN_MS up to BACKOFF_MAX_MS, with ±15 % jitter so that the readers of a
 * restarted server do not all come back in the same millisecond.
 */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  return Math.min(BACKOFF_MAX_MS, Math.round(base * (0.85 + random() * 0.3)));
}

/**
 * What a page does when its socket closed (the `closed` report; `ended`: the meeting has
 * ended, `staff`: the console): "left" (its own close after `stop`), "refused" (never
 * reconnect: the investor page stops for good, the console signs out), "ended" (the
 * investor page stays on the ended meeting) or "reconnect" (the conversation has scheduled
 * it). 1008 also closes a reader too slow to take its frames, or sending too many at once:
 * nothing is wrong with its token then, so that is a plain reconnect. The console gives up
 * only on a close that says its token was refused (a sign-out drops the token); the
 * investor page on every other 1008 (removed, invite revoked or expired).
 */
export function closeVerdict({ code, reason = "", unauthorized = false, stopped = false }, { ended = false, staff = false } = {}) {
  if (stopped) return "left";
  if (code === 1008) {
    if (unauthorized) return "refused";
    const transient = /too slow|too many frames/i.test(reason);
    if (staff ? /unauthori|token|revoked/i.test(reason) : !transient) return "refused";
  }
  return ended && !staff ? "ended" : "reconnect";
}

/** What a Conversation reports; `detail` is the payload (see Conversation's doc). */
export class ConversationEvent extends Event {
  constructor(type, detail) {
    super(type);
    this.detail = detail;
  }
}

/**
 * One reader's connection to one live session.
 *
 * `mode`: "resume" (an investor: the invite decides the session, learned from `welcome`;
 * a reconnect says `hello` with `resume`) or "join" (staff: `session` is given; `join` with
 * `after` follows each `welcome`).
 *
 * Reports (listen with `on(type, fn)`; `fn` receives the detail):
 * - `connecting` `{attempt, everWelcomed}` — a socket is being opened;
 * - `welcome` `{frame, first, sessionChanged}` — the page may call `stop()` from here (a
 *   welcome it has no use for); `sessionChanged`: the conversation so far was dropped;
 * - `event` `{event, fromHistory}` — each visible event once, in order, drafts never when
 *   `dropKinds` has "draft";
 * - `caughtup` `{resumed, missed}` — the history is complete (`missed`: events it brought
 *   after the seq a resumed connection had seen);
 * - `outbox` `{clientId, item, change}` — "queued", "sent" (acknowledged), "failed"
 *   (`item.code`, `item.detail`), "retry", "removed" (its event arrived, or discarded);
 * - `translation` `{frame, translation, seq, event, own, applied}` — a translation of an
 *   event already delivered (`applied`: it replaced `event.translation`), or of another
 *   language; one of the reader's language arriving first is kept and merged into its event;
 * - `presence` `{participant}`, `redacted` `{seq}`, `service` `{down, back}`;
 * - `error` `{code, message, ref, action}` — an error that is not about an outbox item
 *   (`action`: the tag of the latest `action()` when the error has no `ref`);
 * - `closed` `{code, reason, unauthorized, message, stopped}` — the socket closed
 *   (`unauthorized`: an `unauthorized` error came first, `message` its text); unless the
 *   page calls `stop()` or `restart()` here (or `stopped`), a reconnect is scheduled
 *   (`closeVerdict` says what the pages make of it);
 * - `retry` `{delay, at, attempt}` — the next attempt is due at `at`.
 */
export class Conversation extends EventTarget {
  constructor({
    url,
    token,
    language,
    mode = "resume",
    session = null,
    dropKinds = [],
    WebSocket: Socket = globalThis.WebSocket,
    setTimeout: setTimer = (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: clearTimer = (id) => globalThis.clearTimeout(id),
    now = () => Date.now(),
    random = Math.random,
    newClientId = randomClientId,
  }) {
    super();
    this.url = url;
    this.token = token;
    this.language = language;
    this.mode = mode;
    this.session = session;
    this.dropKinds = new Set(dropKinds);
    this.Socket = Socket;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.now = now;
    this.random = random;
    this.newClientId = newClientId;

    this.ws = null;
    this.welcomed = false; // a welcome arrived on the current socket
    this.everWelcomed = false;
    this.stopped = true; // until start()
    this.attempt = 0;
    this.retryTimer = null;
    this.retryAt = 0;
    this.stopTimer = null; // while set, the socket is being stopped (stop with a delay)
    this.restartTimer = null; // while set, a restart waits for the old socket to close
    this.unauthorized = null; // the message of this socket's `unauthorized` error
    this.you = null;
    this.storeDown = false;
    this.lastAction = null; // { tag, at } of the latest frame sent without a clientId

    this.events = new Map(); // seq -> event delivered (the page's own objects)
    this.lastSeq = 0;
    this.early = new EarlyTranslations();
    this.catchUpFrom = null; // lastSeq at a resumed welcome, until the history is complete
    this.reloading = false; // the conversation was dropped to load it again: no catch-up count
    this.historyComplete = false; // this socket's catch-up is in: the outbox may send
    this.outbox = new Map(); // clientId -> { clientId, frame, status, seq, code, detail, ...view }
    this.ratings = new Map(); // clientId of a rate frame -> { seq, rating, reason, comment }
  }

  /** `on("event", fn)`: `fn(detail)` for every report of that type. */
  on(type, fn) {
    this.addEventListener(type, (report) => fn(report.detail));
    return this;
  }

  report(type, detail) {
    this.dispatchEvent(new ConversationEvent(type, detail));
  }

  // -------------------------------------------------------------------------
  // Connection

  /** Whether frames can be sent now (a socket is open and welcomed). */
  get connected() {
    return Boolean(this.ws && this.ws.readyState === OPEN && this.welcomed);
  }

  /** Whether a reconnect is scheduled (its time: `retryAt`). */
  get waiting() {
    return this.retryTimer !== null;
  }

  /** Connects (again after `stop()`), from a fresh back-off. */
  start() {
    this.stopped = false;
    this.attempt = 0;
    this.clearTimer(this.stopTimer);
    this.stopTimer = null;
    if (this.ws) return;
    this.connect();
  }

  /** Connects at once when a reconnect is waiting (the reader asked, or the network is back). */
  reconnectNow() {
    if (this.stopped || this.ws) return;
    this.connect();
  }

  /**
   * Stops for good: no reconnect. With `delayMs` and a connected socket, the socket stays
   * for that long (a `leave` frame gets recorded) and then closes; `closed` with `stopped`
   * follows, and `true` is returned. Otherwise (no delay, or no welcomed socket: a `leave`
   * could not have been sent) the socket is dropped at once and closed quietly — one still
   * connecting once it opens, without a hello — and `false` says no report follows.
   */
  stop({ reason = "closed", delayMs = 0 } = {}) {
    this.stopped = true;
    this.cancelRetry();
    this.clearTimer(this.restartTimer);
    this.restartTimer = null;
    const ws = this.ws;
    if (!ws) return false;
    if (delayMs > 0 && this.connected) {
      this.clearTimer(this.stopTimer);
      this.stopTimer = this.setTimer(() => {
        this.stopTimer = null;
        if (this.ws === ws) closeSocket(ws, reason);
      }, delayMs);
      return true;
    }
    this.detach();
    closeSocket(ws, reason);
    return false;
  }

  /**
   * Opens a new connection at once, from a fresh back-off (a new `language`: the server
   * renders notices, translations and terms for the hello's language). `reset`: forget the
   * conversation so the history brings all of it again. An open socket is closed first and
   * the new one opened once it has closed, so the server never sees both at once.
   */
  restart({ reset = false, reason = "language change" } = {}) {
    if (reset) this.reset();
    this.stopped = false;
    this.attempt = 0;
    this.cancelRetry();
    this.clearTimer(this.stopTimer);
    this.stopTimer = null;
    // A restart already waiting for its old socket to close (the language changed twice):
    // that wait opens the new one, with the language set now.
    if (this.restartTimer !== null && !this.ws) return;
    const ws = this.ws;
    if (!ws) {
      this.connect();
      return;
    }
    this.detach();
    if (ws.readyState !== OPEN) {
      closeSocket(ws, reason);
      this.connect();
      return;
    }
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      this.clearTimer(this.restartTimer);
      this.restartTimer = null;
      if (!this.ws && !this.stopped) this.connect();
    };
    ws.addEventListener("close", go);
    this.restartTimer = this.setTimer(go, RESTART_CLOSE_WAIT_MS);
    closeSocket(ws, reason);
  }

  /** Forgets the conversation (seen events, last seq, early translations); the outbox stays. */
  reset() {
    this.events.clear();
    this.lastSeq = 0;
    this.early.clear();
    this.catchUpFrom = null;
    this.historyComplete = false;
    this.reloading = true;
  }

  detach() {
    this.ws = null;
    this.welcomed = false;
    this.historyComplete = false;
  }

  cancelRetry() {
    this.clearTimer(this.retryTimer);
    this.retryTimer = null;
  }

  connect() {
    this.cancelRetry();
    this.welcomed = false;
    this.unauthorized = null;
    // The warning was about the previous connection's server: this one may be another, or
    // the same one working again; it says so after its welcome if it still cannot store.
    this.storeDown = false;
    this.report("connecting", { attempt: this.attempt, everWelcomed: this.everWelcomed });
    if (this.stopped || this.ws) return; // the page stopped (or restarted) while told
    let ws;
    try {
      ws = new this.Socket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      const hello = { type: "hello", token: this.token, language: this.language };
      if (this.mode === "resume" && this.session) hello.resume = { session: this.session, after: this.lastSeq };
      ws.send(JSON.stringify(hello));
    });
    ws.addEventListener("message", (message) => {
      if (ws !== this.ws || typeof message.data !== "string") return;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame && typeof frame === "object" && !Array.isArray(frame)) this.receive(ws, frame);
    });
    ws.addEventListener("close", (event) => {
      if (ws !== this.ws) return;
      this.detach();
      this.clearTimer(this.stopTimer);
      this.stopTimer = null;
      const stopped = this.stopped;
      this.report("closed", {
        code: event.code,
        reason: event.reason || "",
        unauthorized: this.unauthorized !== null,
        message: this.unauthorized || "",
        stopped,
      });
      if (this.stopped || this.ws) return;
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    const delay = backoffDelay(this.attempt, this.random);
    this.attempt += 1;
    this.retryAt = this.now() + delay;
    this.cancelRetry();
    this.retryTimer = this.setTimer(() => {
      this.retryTimer = null;
      if (!this.stopped && !this.ws) this.connect();
    }, delay);
    this.report("retry", { delay, at: this.retryAt, attempt: this.attempt });
  }

  /** Sends `frame` when connected; false (nothing sent) otherwise. */
  send(frame) {
    if (!this.connected) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame that has no clientId (approve, moderate, end, translate…); an `error`
   *  without `ref` that follows soon is reported with `action: tag`. */
  action(frame, tag) {
    if (!this.send(frame)) return false;
    this.lastAction = { tag, at: this.now() };
    return true;
  }

  /**
   * Rates an answer (`seq`) of this session: `rating` "helpful" or "unhelpful", with an
   * optional `reason` (an id of the pack's list) and `comment`. Ratings are for officers:
   * the investor hears of theirs by the ack, reported as `rated` `{seq, rating, reason,
   * comment}`; a refusal is an `error` reported with `action: "rate:SEQ"`. False when not
   * connected (nothing sent).
   */
  rate(seq, rating, { reason = "", comment = "" } = {}) {
    const clientId = `rate-${seq}-${Math.random().toString(36).slice(2, 10)}`;
    const frame = { type: "rate", session: this.session, seq, rating, clientId };
    if (reason) frame.reason = reason;
    if (comment) frame.comment = comment;
    if (!this.send(frame)) return false;
    this.ratings.set(clientId, { seq, rating, reason, comment });
    return true;
  }

  // -------------------------------------------------------------------------
  // Outbox

  /**
   * Queues `frame` (`{type: "say"|"ask", text…}`; session and clientId are added) until its
   * `ack`; it goes out now when connected and caught up, else once the current or next
   * catch-up is complete (then once: the catch-up sends what is still waiting). `view` is
   * kept on the item for the page (what to show while it waits). Returns the item.
   */
  submit(frame, view = {}) {
    const clientId = this.newClientId();
    const item = { ...view, clientId, frame, status: "sending", seq: null, code: "", detail: "" };
    this.outbox.set(clientId, item);
    this.report("outbox", { clientId, item, change: "queued" });
    this.trySend(item);
    return item;
  }

  /** Sends a failed item again with the same clientId (the server never stores it twice):
   *  now when caught up, else with the rest once the catch-up is complete. */
  retry(clientId) {
    const item = this.outbox.get(clientId);
    if (!item) return;
    item.status = "sending";
    item.code = "";
    item.detail = "";
    this.report("outbox", { clientId, item, change: "retry" });
    this.trySend(item);
  }

  /** Drops an item from the outbox (the reader discarded it, or edits it as a new one). */
  discard(clientId) {
    this.remove(clientId);
  }

  /** Marks every item still waiting as failed with `code` (the session ended). */
  failWaiting(code, detail = "") {
    for (const [clientId, item] of this.outbox) {
      if (item.status !== "sending") continue;
      this.fail(clientId, item, code, detail);
    }
  }

  trySend(item) {
    // Not connected, or the catch-up still coming in: the item waits, "sending…", and goes
    // out with the rest when it is complete (resendOutbox) — sent now as well, it would go
    // twice on this socket, each frame counting toward the server's rate limit.
    if (!this.historyComplete) return;
    this.send({ ...item.frame, session: this.session, clientId: item.clientId });
  }

  resendOutbox() {
    for (const item of this.outbox.values()) {
      if (item.status === "sending" || (item.status === "sent" && !this.events.has(item.seq))) this.trySend(item);
    }
  }

  remove(clientId) {
    const item = this.outbox.get(clientId);
    if (!item) return;
    this.outbox.delete(clientId);
    this.report("outbox", { clientId, item, change: "removed" });
  }

  fail(clientId, item, code, detail) {
    item.status = "failed";
    item.code = code;
    item.detail = detail;
    this.report("outbox", { clientId, item, change: "failed" });
  }

  // -------------------------------------------------------------------------
  // Frames from the server

  receive(ws, frame) {
    // A socket being stopped (leaving) still brings the `left` event and whatever else is
    // live — a rejoin resumes after the last seq, so dropping events would leave a gap —
    // but never a new welcome or catch-up for a page that is going away.
    if (this.stopped && (frame.type === "welcome" || frame.type === "history")) return;
    switch (frame.type) {
      case "welcome":
        this.onWelcome(ws, frame);
        break;
      case "history":
        this.onHistory(frame);
        break;
      case "event":
        this.deliver(frame, false);
        break;
      case "ack":
        this.onAck(frame);
        break;
      case "translation":
        this.onTranslation(frame);
        break;
      case "redacted":
        if (frame.session === this.session && Number.isInteger(frame.seq)) this.report("redacted", { seq: frame.seq });
        break;
      case "presence":
        if (frame.session === this.session && frame.participant && frame.participant.id) {
          this.report("presence", { participant: frame.participant });
        }
        break;
      case "service":
        this.onService(frame);
        break;
      case "lobby": // officers: who waits in the session's lobby
        if (frame.session === this.session) {
          this.report("lobby", { waiting: Array.isArray(frame.waiting) ? frame.waiting : [] });
        }
        break;
      case "admitted": // an investor let in from the lobby: a welcome and the history follow
        if (!this.session || frame.session === this.session) this.report("admitted", { session: frame.session });
        break;
      case "error":
        this.onError(frame);
        break;
      default:
        break; // frames of later protocol versions
    }
  }

  onWelcome(ws, frame) {
    const first = !this.everWelcomed;
    this.welcomed = true;
    this.everWelcomed = true;
    this.attempt = 0;
    this.you = frame.you && typeof frame.you === "object" ? frame.you : null;
    let sessionChanged = false;
    if (this.mode === "resume") {
      const id = frame.session && typeof frame.session === "object" ? frame.session.id : null;
      if (id && this.session && id !== this.session) {
        this.reset();
        sessionChanged = true;
      }
      if (id) this.session = id;
    }
    // A resumed connection: count what the history brings back. Not after a reset: the
    // whole conversation is loaded again then.
    this.catchUpFrom = first || this.reloading ? null : this.lastSeq;
    this.reloading = false;
    this.historyComplete = false;
    this.report("welcome", { frame, first, sessionChanged });
    if (ws !== this.ws || this.stopped) return; // the page had no use for it
    if (this.mode === "join") {
      const join = { type: "join", session: this.session };
      if (this.lastSeq > 0) join.after = this.lastSeq;
      this.send(join);
    }
  }

  onHistory(frame) {
    if (frame.session !== this.session) return;
    for (const event of Array.isArray(frame.events) ? frame.events : []) this.deliver(event, true);
    if (!frame.complete) return;
    this.historyComplete = true;
    const from = this.catchUpFrom;
    this.catchUpFrom = null;
    let missed = 0;
    if (from !== null) for (const seq of this.events.keys()) if (seq > from) missed += 1;
    // Sent once the history is in: items whose event it brought are gone from the outbox by
    // then, and the rest (same clientIds) are stored once whatever happened before.
    this.resendOutbox();
    this.report("caughtup", { resumed: from !== null, missed });
  }

  deliver(event, fromHistory) {
    if (!event || typeof event !== "object" || event.session !== this.session || !Number.isInteger(event.seq)) return;
    if (this.events.has(event.seq)) return; // delivered twice (history overlap, resume): once only
    if (this.dropKinds.has(event.kind)) return;
    const early = this.early.take(event.seq);
    if (early && replaces(early, event.translation)) event.translation = early;
    this.events.set(event.seq, event);
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    this.report("event", { event, fromHistory });

    const mine = Boolean(this.you && event.from && event.from.id === this.you.id);
    if (mine && event.clientId && this.outbox.has(event.clientId)) this.remove(event.clientId);
    for (const [clientId, item] of this.outbox) {
      if (item.seq === event.seq) this.remove(clientId);
    }
  }

  onAck(frame) {
    const rated = this.ratings.get(frame.clientId);
    if (rated) {
      this.ratings.delete(frame.clientId);
      this.report("rated", rated);
      return;
    }
    const item = this.outbox.get(frame.clientId);
    if (!item) return;
    if (Number.isInteger(frame.seq) && this.events.has(frame.seq)) {
      this.remove(frame.clientId); // the event itself already arrived
      return;
    }
    item.status = "sent";
    item.seq = frame.seq;
    item.code = "";
    item.detail = "";
    this.report("outbox", { clientId: frame.clientId, item, change: "sent" });
  }

  onTranslation(frame) {
    if (frame.session !== this.session || !Number.isInteger(frame.seq) || typeof frame.language !== "string") return;
    const translation = translationOf(frame);
    const own = primaryLanguage(frame.language) === primaryLanguage(this.language);
    const event = this.events.get(frame.seq) || null;
    let applied = false;
    if (own && !event) {
      // Sent as soon as it is stored, also to a reader still taking its history: the
      // event may come after it.
      this.early.keep(frame, this.lastSeq);
    } else if (own && replaces(translation, event.translation)) {
      // A machine translation never replaces a person's.
      event.translation = translation;
      applied = true;
    }
    this.report("translation", { frame, translation, seq: frame.seq, event, own, applied });
  }

  /** `service`: the server lost or regained its database; other `store` values (later
   *  protocol versions) are ignored. */
  onService(frame) {
    if (frame.store === "unavailable") {
      this.storeDown = true;
      this.report("service", { down: true, back: false });
    } else if (frame.store === "available") {
      const back = this.storeDown;
      this.storeDown = false;
      this.report("service", { down: false, back });
    }
  }

  onError(frame) {
    const code = String(frame.code || "");
    const message = typeof frame.message === "string" ? frame.message : "";
    const ref = typeof frame.ref === "string" && frame.ref ? frame.ref : null;
    const item = ref ? this.outbox.get(ref) : null;
    if (item) {
      this.fail(ref, item, code, message);
      return;
    }
    const rated = ref ? this.ratings.get(ref) : null;
    if (rated) {
      this.ratings.delete(ref);
      this.report("error", { code, message, ref, action: `rate:${rated.seq}` });
      return;
    }
    if (code === "unauthorized") {
      this.unauthorized = message; // the close 1008 follows
      return;
    }
    let action = null;
    if (!ref) {
      // About the latest frame without a clientId, if recent; a `ref` error (a say/ask no
      // longer in the outbox) says nothing about it, so that one stays open.
      if (this.lastAction && this.now() - this.lastAction.at < ACTION_WINDOW_MS) action = this.lastAction.tag;
      this.lastAction = null;
    }
    this.report("error", { code, message, ref, action });
  }
}
