// The transcript review page: /review, for staff (reviewer or officer token).
// HTTP API: contract section 3 and docs/protocol.md ("HTTP details"). Every text that comes
// from the server or from people is inserted with textContent, never as HTML. The staff
// token travels only in the Authorization header; it is kept in sessionStorage (this tab)
// or, when that is unavailable, in memory — never in a URL, never logged.
import { LANGUAGES, applyStrings, fillLanguageSelect, format } from "/lang.js";
import { probeStaffToken } from "/socket.js";
import { ApiError, createApi } from "/api.js";
import { appendWithTerms, termsDisclosure, writtenLanguage, languageName, isWebAddress } from "/text.js";
import { primaryLanguage, readingOf } from "/translations.js";
import { STRINGS } from "/review-strings.js";
import { initialStaffLanguage, rememberStaffLanguage, signedInLanguage, STAFF_LANGUAGES } from "/staff-lang.js";

const TOKEN_KEY = "ipa.staffToken";
const TRANSCRIPT_LANGUAGES = LANGUAGES.map(([code]) => code);
const NOTE_MAX_BYTES = 16384;


const TEXT_KINDS = new Set(["message", "question", "answer", "draft"]);

const $ = (id) => document.getElementById(id);

const ui = {
  pageLanguage: $("page-language"),
  signOut: $("sign-out"),
  status: $("status"),
  main: $("main"),
  viewSignin: $("view-signin"),
  viewReview: $("view-review"),
  signinForm: $("signin-form"),
  tokenInput: $("token-input"),
  signIn: $("sign-in"),
  signinError: $("signin-error"),
  filter: $("session-filter"),
  search: $("session-search"),
  statusFilter: $("session-status"),
  searchGo: $("session-search-go"),
  sessionCount: $("session-count"),
  sessionList: $("session-list"),
  transcriptEmpty: $("transcript-empty"),
  transcriptView: $("transcript-view"),
  backToList: $("back-to-list"),
  title: $("transcript-title"),
  facts: $("session-facts"),
  participantsLine: $("participants-line"),
  transcriptLanguage: $("transcript-language"),
  reload: $("transcript-reload"),
  exportButtons: [$("export-md"), $("export-json"), $("export-html")],
  verifyStatus: $("verify-status"),
  verifyButton: $("verify-button"),
  transcriptMeta: $("transcript-meta"),
  transcript: $("transcript"),
  transcriptNone: $("transcript-none"),
  orphanNotes: $("orphan-notes"),
};

const state = {
  lang: "en",
  token: null,
  sessions: [],
  sessionsLoaded: false,
  openId: null,
  doc: null,
  docLang: null,
  transcriptLang: "en",
  loadCounter: 0,
  listCounter: 0,
  verifyCounter: 0,
  verify: null,
  noteForm: null,
  person: "", // the signed-in staff member's id: their language is remembered
};

// ---------------------------------------------------------------------------
// Strings and formatting

function t(key, values) {
  const table = STRINGS[state.lang] || STRINGS.en;
  const template = key in table ? table[key] : STRINGS.en[key] ?? key;
  return values ? format(template, values) : template;
}

function languageLabel(code) {
  return code ? `${languageName(code, state.lang)} (${code})` : "";
}

function dateFormat(options) {
  try {
    return new Intl.DateTimeFormat(state.lang, options);
  } catch {
    return new Intl.DateTimeFormat(undefined, options);
  }
}

function validDate(at) {
  if (typeof at !== "string" || !at) return null;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A <time> element: short visible text, the full local date and time as its tooltip. */
function timeElement(at, style = "datetime") {
  const element = document.createElement("time");
  const date = validDate(at);
  if (!date) {
    element.textContent = typeof at === "string" ? at : "";
    return element;
  }
  element.dateTime = at;
  const options =
    style === "time"
      ? { hour: "2-digit", minute: "2-digit", second: "2-digit" }
      : style === "date-time-seconds"
        ? { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" }
        : { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
  element.textContent = dateFormat(options).format(date);
  element.title = `${dateFormat({ dateStyle: "full", timeStyle: "long" }).format(date)} — ${at}`;
  return element;
}

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

function announce(text) {
  ui.status.textContent = text || "";
}

function errorDetail(error) {
  if (error instanceof ApiError && error.code === "network") return t("errNetwork");
  if (error instanceof ApiError) return error.code ? `${error.message} (${error.status} ${error.code})` : error.message;
  if (error instanceof TypeError) return t("errNetwork");
  return error && error.message ? error.message : String(error);
}

// ---------------------------------------------------------------------------
// Token and HTTP

function storedToken() {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function keepToken(token) {
  state.token = token;
  try {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // sessionStorage unavailable: the token lives in memory only.
  }
}

/** The HTTP API with the staff token (api.js): JSON answers, ApiError otherwise; a 401
 *  once signed in means the token expired or was revoked: back to the sign-in form. */
const api = createApi({
  token: () => state.token,
  onUnauthorized: () => {
    if (state.token) signOut(t("errTokenExpired"));
  },
});

/** Whether `token` is a staff token, asked over the WebSocket (socket.js): "ok", "refused"
 *  or "unknown" (the HTTP request then decides). */
async function checkToken(token) {
  const { verdict, you } = await probeStaffToken(token, state.lang, 8000);
  if (verdict === "ok" && you) useLanguageOf(you.id);
  return verdict === "ok" || verdict === "refused" ? verdict : "unknown";
}

/** Signed in: the page takes the language this person chose last on this browser, and
 *  remembers the current one for them if they had none. */
function useLanguageOf(person) {
  state.person = person;
  setPageLanguage(signedInLanguage(person, state.lang));
}

function setPageLanguage(code) {
  if (!STAFF_LANGUAGES.includes(code) || code === state.lang) return;
  state.lang = code;
  ui.pageLanguage.value = code;
  applyPageLanguage();
}

function sessionPath(id, tail = "") {
  return `/v1/sessions/${encodeURIComponent(id)}${tail}`;
}

// ---------------------------------------------------------------------------
// Views

function showSignin(message) {
  ui.viewReview.hidden = true;
  ui.viewSignin.hidden = false;
  ui.signOut.hidden = true;
  ui.signinError.textContent = message || "";
  ui.signIn.disabled = false;
}

function showReview() {
  ui.viewSignin.hidden = true;
  ui.viewReview.hidden = false;
  ui.signOut.hidden = false;
}

async function signIn(event) {
  event.preventDefault();
  const token = ui.tokenInput.value.trim();
  if (!token) {
    ui.signinError.textContent = t("errTokenEmpty");
    ui.tokenInput.focus();
    return;
  }
  ui.signinError.textContent = "";
  ui.signIn.disabled = true;
  announce(t("signingIn"));
  try {
    if ((await checkToken(token)) === "refused") throw new ApiError(401, "unauthorized", "");
    const data = await api("GET", listPath(), undefined, { token, signOutOn401: false });
    keepToken(token);
    ui.tokenInput.value = "";
    showReview();
    announce(t("signedIn"));
    receiveSessions(data);
    if (!openFromHash()) ui.search.focus();
  } catch (error) {
    ui.signIn.disabled = false;
    announce("");
    // Not signed in after all: forget the person, and show the signed-out page's language.
    state.person = "";
    setPageLanguage(initialStaffLanguage());
    if (error instanceof ApiError && error.status === 401) ui.signinError.textContent = t("errTokenRefused");
    else if (error instanceof ApiError && error.status === 403) ui.signinError.textContent = t("errTokenForbidden");
    else if (error instanceof ApiError && error.code !== "network") {
      ui.signinError.textContent = t("errServer", { detail: errorDetail(error) });
    }
    else ui.signinError.textContent = t("errNetwork");
    ui.tokenInput.focus();
  } finally {
    ui.signIn.disabled = false;
  }
}

function signOut(message) {
  keepToken(null);
  state.person = "";
  setPageLanguage(initialStaffLanguage()); // the signed-out page's language, not the last person's
  state.sessions = [];
  state.sessionsLoaded = false;
  state.loadCounter++;
  state.listCounter++;
  state.verifyCounter++;
  closeTranscript();
  ui.sessionList.replaceChildren();
  ui.sessionCount.textContent = "";
  showSignin(message);
  announce(message || t("signedOut"));
  ui.tokenInput.focus();
}

// ---------------------------------------------------------------------------
// Session list

function listPath() {
  const query = new URLSearchParams();
  const q = ui.search.value.trim();
  if (q) query.set("q", q);
  if (ui.statusFilter.value) query.set("status", ui.statusFilter.value);
  const text = query.toString();
  return `/v1/sessions${text ? `?${text}` : ""}`;
}

async function loadSessions() {
  const counter = ++state.listCounter;
  ui.sessionList.setAttribute("aria-busy", "true");
  announce(t("loadingSessions"));
  try {
    const data = await api("GET", listPath());
    if (counter !== state.listCounter) return;
    receiveSessions(data);
    announce(sessionCountText());
  } catch (error) {
    if (counter !== state.listCounter || !state.token) return;
    announce(t("errServer", { detail: errorDetail(error) }));
  } finally {
    if (counter === state.listCounter) ui.sessionList.removeAttribute("aria-busy");
  }
}

function receiveSessions(data) {
  state.sessions = Array.isArray(data && data.sessions) ? data.sessions : [];
  state.sessionsLoaded = true;
  renderSessions();
}

function sessionCountText() {
  const n = state.sessions.length;
  if (n === 0) return t("noSessions");
  return n === 1 ? t("sessionCountOne") : t("sessionCount", { n });
}

function participantsText(count) {
  if (count === 0) return t("participantsCountNone");
  return count === 1 ? t("participantsCountOne") : t("participantsCount", { n: count });
}

function statusTag(status) {
  const tag = el("span", `state-tag ${status === "live" ? "live" : "ended"}`);
  tag.textContent = status === "live" ? t("statusLive") : status === "ended" ? t("statusEnded") : String(status || "");
  return tag;
}

function renderSessions() {
  ui.sessionList.replaceChildren();
  if (!state.sessionsLoaded) return;
  ui.sessionCount.textContent = sessionCountText();
  for (const session of state.sessions) {
    if (!session || typeof session.id !== "string") continue;
    const item = document.createElement("li");
    const link = el("a", "session-item");
    link.href = `#${session.id}`;
    link.dataset.session = session.id;
    if (session.id === state.openId) link.setAttribute("aria-current", "true");

    const title = el("span", "session-title", session.title || t("untitled"));
    const line1 = el("span", "session-line");
    line1.append(statusTag(session.status), timeElement(session.createdAt));
    const line2 = el("span", "session-line");
    const languages = Array.isArray(session.languages) ? session.languages : [];
    const langs = el("span", "session-langs", languages.join(" · ").toUpperCase());
    const people = Array.isArray(session.participants) ? session.participants.length : 0;
    line2.append(langs, el("span", "session-people", participantsText(people)));
    link.append(title, line1, line2);
    // A search by content: the matching events, best first (the server sends at most three).
    const matches = Array.isArray(session.matches) ? session.matches : [];
    if (matches.length) {
      const list = el("ul", "session-matches");
      list.setAttribute("aria-label", t("matchesLabel"));
      for (const match of matches) {
        const text = String(match.text || "");
        const line = el("li", "session-match", text.length > 140 ? `${text.slice(0, 140)}…` : text);
        line.dataset.seq = String(match.seq);
        line.lang = match.language || "";
        list.append(line);
      }
      link.append(list);
    }
    item.append(link);
    ui.sessionList.append(item);
  }
}

function markOpenInList() {
  for (const link of ui.sessionList.querySelectorAll("a[data-session]")) {
    if (link.dataset.session === state.openId) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
}

// ---------------------------------------------------------------------------
// Opening a transcript (the session id lives in the URL fragment)

function hashSession() {
  let raw = "";
  try {
    raw = decodeURIComponent(location.hash.replace(/^#/, ""));
  } catch {
    return null; // a malformed %-escape: not a session id
  }
  return /^[A-Za-z0-9_-]{1,100}$/.test(raw) ? raw : null;
}

/** Opens the session named by the fragment; true when one was opened. */
function openFromHash() {
  const id = hashSession();
  if (!id) {
    if (state.openId) closeTranscript();
    return false;
  }
  if (id !== state.openId) openSession(id);
  return true;
}

function openSession(id) {
  closeNoteForm(false);
  state.openId = id;
  state.doc = null;
  state.verify = null;
  markOpenInList();
  ui.viewReview.classList.add("has-open");
  ui.transcriptEmpty.hidden = true;
  ui.transcriptView.hidden = false;
  ui.title.textContent = id;
  ui.facts.replaceChildren();
  ui.participantsLine.replaceChildren();
  ui.transcript.replaceChildren();
  ui.orphanNotes.replaceChildren();
  ui.orphanNotes.hidden = true;
  ui.transcriptMeta.textContent = "";
  ui.transcriptNone.hidden = true;
  setExportEnabled(false);
  loadTranscript({ focus: true });
  verify();
}

function closeTranscript() {
  closeNoteForm(false);
  state.openId = null;
  state.doc = null;
  state.verify = null;
  state.loadCounter++;
  state.verifyCounter++;
  ui.viewReview.classList.remove("has-open");
  ui.transcriptView.hidden = true;
  ui.transcriptEmpty.hidden = false;
  ui.transcript.replaceChildren();
  markOpenInList();
}

async function loadTranscript({ focus = false } = {}) {
  const id = state.openId;
  if (!id) return;
  const lang = state.transcriptLang;
  const counter = ++state.loadCounter;
  ui.transcript.setAttribute("aria-busy", "true");
  announce(t("loadingTranscript"));
  try {
    const doc = await api("GET", `${sessionPath(id, "/transcript")}?format=json&lang=${encodeURIComponent(lang)}`);
    if (counter !== state.loadCounter) return;
    state.doc = doc;
    state.docLang = lang;
    renderTranscript();
    setExportEnabled(true);
    announce(t("transcriptLoaded", { n: Array.isArray(doc.events) ? doc.events.length : 0 }));
    if (focus) ui.title.focus();
  } catch (error) {
    if (counter !== state.loadCounter || !state.token) return;
    const detail =
      error instanceof ApiError && error.status === 404 ? t("sessionNotFound", { id }) : errorDetail(error);
    ui.title.textContent = id;
    ui.transcript.replaceChildren();
    const item = el("li", "load-error", t("transcriptFailed", { detail }));
    item.setAttribute("role", "alert");
    ui.transcript.append(item);
    announce(t("transcriptFailed", { detail }));
  } finally {
    if (counter === state.loadCounter) ui.transcript.removeAttribute("aria-busy");
  }
}

// ---------------------------------------------------------------------------
// Verification

async function verify() {
  const id = state.openId;
  if (!id) return;
  const counter = ++state.verifyCounter;
  state.verify = { pending: true };
  renderVerify();
  try {
    const result = await api("GET", sessionPath(id, "/verify"));
    if (counter !== state.verifyCounter) return;
    state.verify = { result };
  } catch (error) {
    if (counter !== state.verifyCounter || !state.token) return;
    state.verify = { error };
  }
  renderVerify();
}

function renderVerify() {
  const box = ui.verifyStatus;
  const v = state.verify;
  box.replaceChildren();
  box.removeAttribute("data-ok");
  if (!v) {
    box.dataset.state = "idle";
    return;
  }
  ui.verifyButton.disabled = Boolean(v.pending);
  if (v.pending) {
    box.dataset.state = "pending";
    box.append(el("span", "verify-text", t("verifying")));
    return;
  }
  if (v.error) {
    box.dataset.state = "fail";
    box.dataset.ok = "false";
    box.append(el("span", "verify-text", t("verifyFailed", { detail: errorDetail(v.error) })));
    return;
  }
  const r = v.result || {};
  if (r.ok === true) {
    box.dataset.state = "ok";
    box.dataset.ok = "true";
    const n = Number(r.events) || 0;
    box.append(el("span", "verify-text", n === 1 ? t("verifiedOkOne") : t("verifiedOk", { n })));
    const details = [];
    if (typeof r.head === "string" && r.head) details.push(t("verifiedDetail", { head: `${r.head.slice(0, 16)}…` }));
    if (Array.isArray(r.redacted) && r.redacted.length) details.push(t("verifiedRedacted", { list: r.redacted.join(", ") }));
    if (details.length) {
      const small = el("span", "verify-detail", details.join(" · "));
      if (typeof r.head === "string") small.title = r.head;
      box.append(small);
    }
  } else {
    box.dataset.state = "fail";
    box.dataset.ok = "false";
    const reason = typeof r.reason === "string" && r.reason ? r.reason : t("unknownReason");
    const text =
      r.firstBadSeq !== undefined && r.firstBadSeq !== null
        ? t("tampered", { seq: r.firstBadSeq, reason })
        : t("tamperedNoSeq", { reason });
    box.append(el("span", "verify-text", text));
  }
  markBadEntry();
}

/** Flags the entry the verification named as the first bad one. */
function markBadEntry() {
  for (const old of ui.transcript.querySelectorAll(".entry.tampered")) {
    old.classList.remove("tampered");
    for (const flag of old.querySelectorAll(".tamper-flag")) flag.remove();
  }
  const r = state.verify && state.verify.result;
  if (!r || r.ok !== false || r.firstBadSeq === undefined || r.firstBadSeq === null) return;
  const entry = ui.transcript.querySelector(`li.entry[data-seq="${CSS.escape(String(r.firstBadSeq))}"]`);
  if (!entry) return;
  entry.classList.add("tampered");
  const flag = el("p", "tamper-flag", t("tamperedHere", { reason: r.reason || t("unknownReason") }));
  entry.prepend(flag);
}

// ---------------------------------------------------------------------------
// Rendering a transcript

function participantName(id) {
  const doc = state.doc;
  const people = doc && Array.isArray(doc.participants) ? doc.participants : [];
  const person = people.find((p) => p && p.id === id);
  return (person && person.name) || id || "—";
}

function modeText(mode) {
  return { auto: t("modeAuto"), review: t("modeReview"), off: t("modeOff") }[mode] || String(mode || "");
}

function roleText(role) {
  const key = `role_${role}`;
  return key in STRINGS.en ? t(key) : String(role || "");
}

function badge(role) {
  const known = ["officer", "investor", "assistant", "reviewer", "interpreter"].includes(role);
  return el("span", `badge ${known ? role : ""}`.trim(), roleText(role));
}

function renderTranscript() {
  const doc = state.doc;
  if (!doc) return;
  // A note being written survives the re-render (page or transcript language, Reload).
  const open = state.noteForm;
  const unsaved = open && !open.busy ? { seq: open.seq, text: open.textarea.value, focused: open.form.contains(document.activeElement) } : null;
  closeNoteForm(false);
  const session = doc.session || {};
  const events = (Array.isArray(doc.events) ? doc.events : [])
    .filter((e) => e && typeof e === "object")
    .slice()
    .sort((a, b) => (Number(a.seq) || 0) - (Number(b.seq) || 0));

  ui.title.textContent = session.title || t("untitled");
  document.title = `${session.title || session.id || ""} — ${t("pageTitle")}`;

  // Facts about the session.
  ui.facts.replaceChildren();
  const fact = (label, value) => {
    const wrap = el("div", "fact");
    const dt = el("dt", "", label);
    const dd = el("dd");
    if (value instanceof Node) dd.append(value);
    else dd.textContent = value;
    wrap.append(dt, dd);
    ui.facts.append(wrap);
  };
  fact(t("factStatus"), statusTag(session.status));
  fact(t("factCreated"), timeElement(session.createdAt));
  if (session.endedAt) fact(t("factEnded"), timeElement(session.endedAt));
  fact(t("factLanguages"), (Array.isArray(session.languages) ? session.languages : []).join(" · ").toUpperCase());
  fact(t("factAssistant"), modeText(session.assistant));
  fact(t("factAgent"), String(session.agent || ""));
  const versions = [...new Set(events.map((e) => e.glossary).filter((v) => Number.isInteger(v)))].sort((a, b) => a - b);
  fact(t("factGlossary"), versions.length ? versions.map((v) => `v${v}`).join(", ") : t("none"));
  fact(t("factEvents"), String(events.length));
  const idCode = el("code", "", session.id || state.openId || "");
  fact(t("factId"), idCode);

  // Participants.
  ui.participantsLine.replaceChildren();
  const people = Array.isArray(doc.participants) ? doc.participants : [];
  if (people.length) {
    const list = el("ul", "people-inline");
    for (const p of people) {
      const item = el("li", "person-chip");
      item.append(el("span", "person-name", p.name || p.id || ""), badge(p.role));
      const extra = [p.language ? String(p.language).toUpperCase() : "", p.organisation || ""].filter(Boolean).join(" · ");
      if (extra) item.append(el("span", "person-extra", extra));
      list.append(item);
    }
    ui.participantsLine.append(list);
  }

  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    zone = "";
  }
  ui.transcriptMeta.textContent = t("timesNote", { zone: zone || "UTC", lang: languageLabel(state.docLang) });

  // Notes by seq.
  const notesBySeq = new Map();
  for (const note of Array.isArray(doc.notes) ? doc.notes : []) {
    if (!note || typeof note !== "object") continue;
    const key = Number(note.seq);
    if (!notesBySeq.has(key)) notesBySeq.set(key, []);
    notesBySeq.get(key).push(note);
  }

  state.hasTranslations = events.some(
    (e) => (e.translation && typeof e.translation.text === "string") || (e.phraseTexts && typeof e.phraseTexts === "object"),
  );
  const fragment = document.createDocumentFragment();
  let previousDay = "";
  const dayOf = (at) => {
    const date = validDate(at);
    return date ? date.toDateString() : "";
  };
  const seen = new Set();
  for (const event of events) {
    const day = dayOf(event.at);
    const showDate = day !== previousDay;
    previousDay = day || previousDay;
    const item = renderEntry(event, { showDate });
    const seq = Number(event.seq);
    seen.add(seq);
    item.append(renderNotes(notesBySeq.get(seq) || []));
    fragment.append(item);
  }
  // Notes whose event is not in the transcript (should not happen; shown rather than lost).
  const orphans = [...notesBySeq.entries()].filter(([seq]) => !seen.has(seq)).flatMap(([, list]) => list);
  ui.orphanNotes.replaceChildren();
  ui.orphanNotes.hidden = orphans.length === 0;
  if (orphans.length) ui.orphanNotes.append(el("h3", "orphan-title", t("otherNotes")), renderNotes(orphans, true));
  ui.transcript.replaceChildren(fragment);
  ui.transcriptNone.hidden = events.length > 0;
  markBadEntry();
  markSearchMatches();
  if (unsaved) {
    const button = ui.transcript.querySelector(`li.entry[data-seq="${CSS.escape(String(unsaved.seq))}"] button[data-action="note"]`);
    if (button) {
      openNoteForm(button, unsaved.focused);
      state.noteForm.textarea.value = unsaved.text;
    }
  }
}

/** Outlines the events the last search found in this session; the first is scrolled to once. */
function markSearchMatches() {
  const session = state.sessions.find((s) => s && s.id === state.openId);
  const seqs = session && Array.isArray(session.matches) ? session.matches.map((m) => Number(m.seq)) : [];
  let first = null;
  for (const seq of seqs) {
    const entry = document.getElementById(`seq-${seq}`);
    if (!entry) continue;
    entry.classList.add("search-match");
    if (!first || seq < Number(first.dataset.seq)) first = entry;
  }
  if (first && state.scrolledToMatch !== state.openId) {
    state.scrolledToMatch = state.openId;
    first.scrollIntoView({ block: "center" });
  }
}

function renderEntry(event, { showDate }) {
  const kind = typeof event.kind === "string" ? event.kind : "unknown";
  const hasText = TEXT_KINDS.has(kind) || typeof event.text === "string" || event.redacted === true;
  const item = el("li", `entry ${safeClass(kind)} ${hasText ? "text-entry" : "sys-entry"}`);
  item.dataset.seq = String(event.seq);
  item.dataset.kind = kind;
  item.id = `seq-${event.seq}`;
  if (hasText) renderTextEntry(item, event, kind, showDate);
  else renderSystemEntry(item, event, kind, showDate);
  return item;
}

function safeClass(kind) {
  return String(kind).replace(/[^A-Za-z0-9_-]/g, "") || "unknown";
}

function seqLabel(seq) {
  return el("span", "seq", `#${seq}`);
}

function noteButton(seq) {
  const button = el("button", "note-button", t("addNote"));
  button.type = "button";
  button.dataset.action = "note";
  button.dataset.seq = String(seq);
  button.setAttribute("aria-expanded", "false");
  return button;
}

function renderTextEntry(item, event, kind, showDate) {
  const from = event.from || {};
  const head = el("div", "entry-head");
  head.append(seqLabel(event.seq), timeElement(event.at, showDate ? "date-time-seconds" : "time"));
  const who = el("span", "speaker");
  who.append(el("span", "speaker-name", from.name || participantName(from.id)), badge(from.role));
  head.append(who);
  const kindKey = `kind_${kind}`;
  head.append(el("span", `kind-tag ${safeClass(kind)}`, kindKey in STRINGS.en ? t(kindKey) : kind));
  head.append(
    el(
      "span",
      "gloss-version",
      Number.isInteger(event.glossary) ? t("glossaryVersion", { v: event.glossary }) : t("noGlossary"),
    ),
    noteButton(event.seq),
  );
  item.append(head);

  // Original and, when there is one, its translation into the reading language, side by
  // side: a person's, the phrasebook's (a phrase carries its own), or a machine's.
  const reading = event.redacted ? { kind: "original" } : readingOf(event, state.docLang);
  const translation = reading.kind !== "original" ? reading.translation : null;
  const translated = Boolean(translation);
  const texts = el("div", `texts ${translated ? "side-by-side" : "single"}`);
  const original = el("div", "cell orig");
  original.append(el("p", "cell-label", t("original", { lang: languageLabel(event.language) })));
  const body = el("p", "text");
  if (event.language && !event.redacted) body.lang = writtenLanguage(event.text, event.language);
  let marked = [];
  if (event.redacted || typeof event.text !== "string") {
    body.classList.add("redacted");
    body.textContent = t("redacted");
  } else {
    marked = appendWithTerms(body, event.text, event.terms);
  }
  original.append(body);
  const terms = termsDisclosure(marked, (count) => t("termsButton", { count }), event.language, state.docLang);
  if (terms) original.append(terms);
  texts.append(original);
  if (translated) {
    const cell = el("div", "cell translation");
    cell.dataset.provenance = reading.kind;
    if (translation.glossaryOk === false) cell.classList.add("glossary-lost");
    const labelKey = { human: "humanTranslation", phrasebook: "phrasebookTranslation" }[reading.kind] || "machineTranslation";
    const label = el("p", "cell-label", t(labelKey, { lang: languageLabel(translation.language) }));
    const meta = el("span", "translation-meta");
    if (reading.kind === "human") {
      const by = translation.by && typeof translation.by === "object" ? translation.by : {};
      const who = el("span", "translator", t("translatedBy", { name: by.name || participantName(by.id), role: roleText(by.role || "interpreter") }));
      if (by.id) who.dataset.by = String(by.id);
      meta.append(who);
      if (translation.at) meta.append(timeElement(translation.at));
    } else if (reading.kind === "machine" && translation.engine) {
      meta.append(el("span", "engine", t("engine", { engine: translation.engine })));
    }
    if (translation.glossaryOk === true) meta.append(el("span", "gloss-ok", `✓ ${t("glossaryKept")}`));
    else if (translation.glossaryOk === false) meta.append(el("span", "gloss-lost", `⚠ ${t("glossaryLost")}`));
    label.append(meta);
    const text = el("p", "text", translation.text);
    if (translation.language) text.lang = writtenLanguage(translation.text, translation.language);
    cell.append(label, text);
    texts.append(cell);
  }
  item.append(texts);
  // A missing translation is only worth saying where others exist (a translator is configured).
  if (
    state.hasTranslations &&
    !translated &&
    !event.redacted &&
    kind !== "draft" &&
    event.language &&
    state.docLang &&
    primaryLanguage(event.language) !== primaryLanguage(state.docLang)
  ) {
    item.append(el("p", "no-translation", t("noTranslation", { lang: languageLabel(state.docLang) })));
  }

  // Answers and drafts: provenance, citations, hand-over.
  if (kind === "answer" || kind === "draft") {
    const facts = [];
    if (Number.isInteger(event.about)) facts.push(t("aboutQuestion", { seq: event.about }));
    // `confidencePercent` (an integer) since issue 16; `confidence` (0…1) in older events.
    if (Number.isInteger(event.confidencePercent)) facts.push(t("confidence", { pct: event.confidencePercent }));
    else if (typeof event.confidence === "number") facts.push(t("confidence", { pct: Math.round(event.confidence * 100) }));
    if (event.engine) facts.push(t("engine", { engine: event.engine }));
    if (event.approvedBy) {
      const values = { name: participantName(event.approvedBy), draft: event.draft ?? "?" };
      facts.push(event.edited ? t("approvedEdited", values) : t("approvedBy", values));
    }
    if (event.edited && event.editedBy && typeof event.editedBy === "object") {
      facts.push(t("editedBy", { name: event.editedBy.name || participantName(event.editedBy.id) }));
    }
    if (facts.length) item.append(el("p", "answer-facts", facts.join(" · ")));
  }
  if (Array.isArray(event.citations) && event.citations.length > 0) item.append(renderCitations(event.citations));
  if (event.contact && typeof event.contact === "object") item.append(renderContact(event.contact));

}

function renderSystemEntry(item, event, kind, showDate) {
  const from = event.from || {};
  const name = from.name || participantName(from.id);
  let text;
  switch (kind) {
    case "joined": {
      const lang = event.language ? languageLabel(event.language) : "";
      if (event.organisation && lang) text = t("sysJoinedOrg", { name, org: event.organisation, lang });
      else if (lang) text = t("sysJoinedDetail", { name, lang });
      else text = t("sysJoined", { name });
      break;
    }
    case "left":
      text = t("sysLeft", { name });
      break;
    case "ended":
      text = t("sysEnded", { name });
      break;
    case "moderation": {
      const target = event.targetName || (event.target ? participantName(event.target) : "");
      if (event.action === "mute") text = t("sysMute", { name, target });
      else if (event.action === "unmute") text = t("sysUnmute", { name, target });
      else if (event.action === "remove") text = t("sysRemove", { name, target });
      else if (event.action === "assistant") text = t("sysAssistant", { name, mode: modeText(event.mode) });
      else text = t("sysModeration", { name, action: String(event.action || ""), target });
      break;
    }
    case "status": {
      const stateKey = `state_${event.state}`;
      const stateText = stateKey in STRINGS.en ? t(stateKey) : String(event.state || "");
      const parts = [t("sysStatus", { about: event.about ?? "?", state: stateText })];
      if (event.rejectedBy) parts.push(t("sysRejectedBy", { name: participantName(event.rejectedBy) }));
      if (event.reason) parts.push(t("sysReason", { reason: event.reason }));
      text = parts.join(" · ");
      break;
    }
    default:
      text = t("sysOther", { kind });
  }
  const row = el("div", "sys-row");
  row.append(seqLabel(event.seq), timeElement(event.at, showDate ? "date-time-seconds" : "time"));
  row.append(el("span", "sys-text", text));
  row.append(noteButton(event.seq));
  item.append(row);
}

function renderCitations(citations) {
  const box = el("div", "citations");
  box.append(el("h3", "box-title", t("sources")));
  const list = el("ol", "citation-list");
  citations.forEach((citation, index) => {
    if (!citation || typeof citation !== "object") return;
    const item = el("li", "citation");
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.append(el("span", "cite-num", `[${index + 1}]`), " ", el("span", "cite-title", citation.title || citation.document || ""));
    details.append(summary);
    if (citation.passage) {
      const passage = el("blockquote", "passage", citation.passage);
      details.append(passage);
    }
    const source = typeof citation.source === "string" ? citation.source : "";
    if (source) {
      const line = el("p", "cite-source");
      if (isWebAddress(source)) {
        const label = t("citationSource", { source: "" });
        line.append(label);
        const link = el("a", "", source);
        link.href = source;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        line.append(link);
      } else {
        line.textContent = t("citationSource", { source });
      }
      details.append(line);
    }
    if (citation.document) details.append(el("p", "cite-doc", t("citationDocument", { id: citation.document })));
    item.append(details);
    list.append(item);
  });
  box.append(list);
  return box;
}

function renderContact(contact) {
  const box = el("div", "contact");
  box.append(el("h3", "box-title", t("contactTitle")));
  box.append(el("p", "contact-name", [contact.name, contact.role, contact.organisation].filter(Boolean).join(" · ")));
  const extra = [];
  if (Array.isArray(contact.languages) && contact.languages.length) {
    extra.push(t("contactLanguages", { list: contact.languages.map((code) => languageName(code, state.lang)).join(", ") }));
  }
  if (contact.desk) extra.push(t("contactDesk", { desk: contact.desk }));
  if (extra.length) box.append(el("p", "contact-extra", extra.join(" · ")));
  if (contact.reason) box.append(el("p", "contact-reason", contact.reason));
  return box;
}

function renderNotes(notes, showSeq = false) {
  const list = el("ul", "notes");
  list.setAttribute("aria-label", t("notesTitle"));
  for (const note of notes) list.append(renderNote(note, showSeq));
  return list;
}

function renderNote(note, showSeq = false) {
  const item = el("li", "note");
  const head = el("p", "note-head");
  head.append(el("span", "note-label", t("notesTitle")));
  if (showSeq) head.append(" ", seqLabel(note.seq));
  head.append(" · ", el("span", "note-author", t("noteBy", { author: note.author || "" })), " · ", timeElement(note.at));
  item.append(head, el("p", "note-text", note.text || ""));
  return item;
}

// ---------------------------------------------------------------------------
// Notes

function openNoteForm(button, focus = true) {
  const seq = Number(button.dataset.seq);
  const entry = button.closest("li.entry");
  if (!entry || !Number.isInteger(seq)) return;
  if (state.noteForm && state.noteForm.seq === seq) {
    state.noteForm.textarea.focus();
    return;
  }
  closeNoteForm(false);
  const form = el("form", "note-form");
  form.noValidate = true;
  const label = el("label", "", t("noteLabel", { seq }));
  label.htmlFor = "note-text";
  const textarea = document.createElement("textarea");
  textarea.id = "note-text";
  textarea.name = "text";
  textarea.rows = 3;
  textarea.maxLength = 16000;
  textarea.required = true;
  const error = el("p", "form-error");
  error.id = "note-error";
  error.setAttribute("role", "alert");
  textarea.setAttribute("aria-describedby", "note-error");
  const actions = el("div", "note-actions");
  const save = el("button", "button small", t("noteSave"));
  save.type = "submit";
  save.id = "note-save";
  const cancel = el("button", "button secondary small", t("noteCancel"));
  cancel.type = "button";
  cancel.dataset.action = "note-cancel";
  actions.append(save, cancel);
  form.append(label, textarea, error, actions);
  // The form goes after the entry's notes, inside the entry.
  entry.append(form);
  button.setAttribute("aria-expanded", "true");
  state.noteForm = { seq, form, textarea, error, save, button, entry };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    saveNote();
  });
  cancel.addEventListener("click", () => closeNoteForm(true));
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeNoteForm(true);
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      saveNote();
    }
  });
  if (focus) textarea.focus();
}

function closeNoteForm(returnFocus) {
  const open = state.noteForm;
  if (!open) return;
  state.noteForm = null;
  open.form.remove();
  open.button.setAttribute("aria-expanded", "false");
  if (returnFocus && open.button.isConnected) open.button.focus();
}

async function saveNote() {
  const open = state.noteForm;
  if (!open || open.busy) return;
  const text = open.textarea.value;
  if (!text.trim()) {
    open.error.textContent = t("noteEmpty");
    open.textarea.focus();
    return;
  }
  if (new TextEncoder().encode(text).length > NOTE_MAX_BYTES) {
    open.error.textContent = t("noteTooLong");
    open.textarea.focus();
    return;
  }
  const id = state.openId;
  open.busy = true;
  open.save.disabled = true;
  open.error.textContent = "";
  announce(t("noteSaving"));
  try {
    const note = await api("POST", sessionPath(id, "/notes"), { seq: open.seq, text });
    if (id !== state.openId || !state.doc) return;
    if (!Array.isArray(state.doc.notes)) state.doc.notes = [];
    state.doc.notes.push(note);
    let list = open.entry.querySelector(":scope > ul.notes");
    if (!list) {
      list = renderNotes([]);
      open.form.before(list);
    }
    list.append(renderNote(note));
    const button = open.button;
    closeNoteForm(false);
    button.focus();
    announce(t("noteSaved", { seq: note.seq ?? open.seq }));
  } catch (error) {
    if (!state.token) return;
    open.busy = false;
    open.save.disabled = false;
    const detail = errorDetail(error);
    open.error.textContent = t("noteFailed", { detail });
    announce(t("noteFailed", { detail }));
  }
}

// ---------------------------------------------------------------------------
// Export (fetched with the Authorization header, saved through a Blob URL)

function setExportEnabled(enabled) {
  for (const button of ui.exportButtons) button.disabled = !enabled;
  ui.reload.disabled = !state.openId;
  ui.verifyButton.disabled = !state.openId || Boolean(state.verify && state.verify.pending);
}

function slug(title) {
  const folded = String(title || "")
    .toLowerCase()
    .replace(/[đð]/g, "d")
    .replace(/ø/g, "o")
    .replace(/ł/g, "l")
    .replace(/ß/g, "ss")
    .replace(/æ/g, "ae")
    .replace(/œ/g, "oe")
    .replace(/þ/g, "th")
    .replace(/ı/g, "i")
    .normalize("NFD")
    .replace(/\p{M}/gu, "");
  let out = folded.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (out.length > 48) out = out.slice(0, 48).replace(/-+$/, "");
  return out || "session";
}

/** `YYYY-MM-DD_title-slug_SESSIONID` as the server names transcript files. */
function baseFileName() {
  const session = (state.doc && state.doc.session) || {};
  const date = /^\d{4}-\d{2}-\d{2}/.test(session.createdAt || "") ? session.createdAt.slice(0, 10) : "0000-00-00";
  const id = String(session.id || state.openId || "unknown").replace(/[^A-Za-z0-9_-]/g, "-");
  return `${date}_${slug(session.title)}_${id}`;
}

async function exportTranscript(button) {
  const fmt = button.dataset.format;
  const id = state.openId;
  if (!id || !["md", "json", "html"].includes(fmt)) return;
  const lang = state.transcriptLang;
  const label = button.textContent;
  button.disabled = true;
  announce(t("exporting", { format: label }));
  try {
    const response = await api("GET", `${sessionPath(id, "/transcript")}?format=${fmt}&lang=${encodeURIComponent(lang)}`, undefined, {
      raw: true,
    });
    const blob = await response.blob();
    // JSON keeps the server's base name, which its HTML export quotes for `transcript verify --file`.
    const file = fmt === "json" ? `${baseFileName()}.json` : `${baseFileName()}.${lang}.${fmt}`;
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = file;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
    announce(t("exported", { file }));
  } catch (error) {
    if (!state.token) return;
    announce(t("exportFailed", { detail: errorDetail(error) }));
  } finally {
    button.disabled = !state.doc;
  }
}

// ---------------------------------------------------------------------------
// Page language

function fillTranscriptLanguages() {
  const select = ui.transcriptLanguage;
  select.replaceChildren();
  for (const [code, name] of LANGUAGES) {
    const option = document.createElement("option");
    option.value = code;
    option.lang = code;
    option.textContent = `${name} (${code})`;
    option.selected = code === state.transcriptLang;
    select.append(option);
  }
}

function applyPageLanguage() {
  document.documentElement.lang = state.lang;
  ui.pageLanguage.value = state.lang;
  applyStrings(document, STRINGS[state.lang]);
  document.title = t("pageTitle");
  for (const button of ui.exportButtons) {
    button.title = t("exportTitle", { format: button.textContent, lang: state.transcriptLang });
  }
  renderSessions();
  if (state.doc) renderTranscript();
  renderVerify();
}

// ---------------------------------------------------------------------------
// Start

function wire() {
  ui.signinForm.addEventListener("submit", signIn);
  ui.signOut.addEventListener("click", () => signOut());
  ui.pageLanguage.addEventListener("change", () => {
    const code = ui.pageLanguage.value;
    rememberStaffLanguage(code, state.person);
    setPageLanguage(code);
  });
  ui.filter.addEventListener("submit", (event) => {
    event.preventDefault();
    loadSessions();
  });
  ui.statusFilter.addEventListener("change", () => loadSessions());
  ui.sessionList.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-session]");
    if (!link) return;
    if (link.dataset.session === state.openId && hashSession() === state.openId) {
      // Already open: no hashchange will come; just move to it.
      event.preventDefault();
      ui.title.focus();
    }
  });
  window.addEventListener("hashchange", () => {
    if (state.token) openFromHash();
  });
  ui.backToList.addEventListener("click", () => {
    history.pushState(null, "", location.pathname + location.search);
    const id = state.openId;
    closeTranscript();
    const link = id && ui.sessionList.querySelector(`a[data-session="${CSS.escape(id)}"]`);
    if (link) link.focus();
    else ui.search.focus();
  });
  ui.transcriptLanguage.addEventListener("change", () => {
    const code = ui.transcriptLanguage.value;
    if (!TRANSCRIPT_LANGUAGES.includes(code)) return;
    state.transcriptLang = code;
    for (const button of ui.exportButtons) {
      button.title = t("exportTitle", { format: button.textContent, lang: code });
    }
    loadTranscript();
  });
  ui.reload.addEventListener("click", () => loadTranscript());
  ui.verifyButton.addEventListener("click", () => verify());
  for (const button of ui.exportButtons) button.addEventListener("click", () => exportTranscript(button));
  ui.transcript.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action='note']");
    if (button) openNoteForm(button);
  });
}

async function start() {
  state.lang = initialStaffLanguage();
  fillLanguageSelect(ui.pageLanguage, state.lang);
  state.transcriptLang = state.lang;
  fillTranscriptLanguages();
  wire();
  applyPageLanguage();
  setExportEnabled(false);

  const token = storedToken();
  if (!token) {
    showSignin();
    return;
  }
  if ((await checkToken(token)) === "refused") {
    // Revoked since it was stored: back to the form, without a failed request.
    keepToken(null);
    showSignin(t("errTokenExpired"));
    announce(t("errTokenExpired"));
    return;
  }
  state.token = token;
  showReview();
  announce(t("loadingSessions"));
  try {
    receiveSessions(await api("GET", listPath()));
    announce(sessionCountText());
    openFromHash();
  } catch (error) {
    if (!state.token) return; // 401: already back at the sign-in form
    announce(t("errServer", { detail: errorDetail(error) }));
  }
}

start();
