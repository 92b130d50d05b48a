// The officer console: /console (optionally /console#ses_… to open a session).
// HTTP API: contract section 3; WebSocket protocol: contract section 4 and docs/protocol.md.
// Every text that comes from the server or from people is inserted with textContent or
// text nodes, never as HTML. The staff token lives in sessionStorage ("ipa.staffToken",
// shared with the review page) and travels only in the Authorization header and the
// WebSocket hello frame — never in a URL, never in a log.
import { applyStrings, fillLanguageSelect, format } from "/lang.js";
import {
  fold, machineEngineOf, phraseTranslation, primaryLanguage, provenanceKind, replaces, replyTarget, translationOf, translationRank,
} from "/translations.js";
import { probeStaffToken, socketURL } from "/socket.js";
import { Conversation, closeVerdict } from "/conversation.js";
import { ApiError, createApi } from "/api.js";
import { LogFollower } from "/follow.js";
import { wallTimeToUTC } from "/zones.js";
import { appendWithTerms, termsDisclosure, writtenLanguage, fileTypeLabel, formatBytes, isWebAddress, languageName } from "/text.js";
import { STRINGS } from "/console-strings.js";
import { initialStaffLanguage, rememberStaffLanguage, signedInLanguage, STAFF_LANGUAGES } from "/staff-lang.js";

const TOKEN_KEY = "ipa.staffToken";
const SESSION_LANGUAGES = ["vi", "en", "fr", "ja", "ko", "zh"];
const MODES = ["auto", "review", "off"];
const SHARE_MAX_CHARS = 1500;


// ---------------------------------------------------------------------------
// State

const state = {
  lobby: [], // who waits in the open session's lobby: [{ invite, name, organisation, language, since }]
  lang: "en",
  token: "",
  role: null,
  me: null, // { id, name } once known (welcome)
  sessions: [],
  sessionId: null,
  session: null,
  // connection (the protocol itself is conversation.js's: `client` below)
  phase: "idle", // idle | connecting | live | reconnecting | offline
  retryAt: 0, // when the reconnect the conversation scheduled is due
  countdownTimer: 0,
  historyDone: false,
  storeDown: false, // this connection's server said it cannot store messages (`service` frame)
  // conversation
  events: new Map(), // seq -> event
  elements: new Map(), // seq -> element
  questionStates: new Map(), // question seq -> status event
  draftOutcomes: new Map(), // draft seq -> { state, by, edited, reason }
  draftUi: new Map(), // draft seq -> { editing, text, reason, busy, error }
  participants: new Map(),
  presenceAt: new Map(), // participant id -> performance.now() of its last presence frame
  joins: 0, // welcomes on the current session's connections
  removed: new Set(),
  peopleUi: new Map(), // participant id -> { confirmRemove, busy }
  // side panels
  invites: [],
  newInvite: null,
  searchResults: [],
  share: null, // the search result being shared: { index, text } while its preview is open
  searchInfo: null,
  gaps: [],
  ended: false,
  endConfirm: false,
  // translations and the phrasebook
  translations: new Map(), // seq -> Map(language -> translation), every language (staff get them all)
  translateUi: new Map(), // "seq|language" -> { text, fromMachine, busy, error }
  queueLang: "", // the translation queue's chosen language
  handled: new Set(), // hand-overs (answer seqs) marked followed up, remembered per session in this browser
  mtDismissed: "", // the reader languages the "nothing translates" notice was dismissed for
  lastVisited: 0, // the item `N` moved to last
  waiting: 0, // items waiting (drafts, hand-overs, translations): the tab title's count
  machineEngine: undefined, // welcome.machineTranslation.engine: a name, null (none), undefined (not said)
  phrases: null, // { agent, list, error } once asked
  phraseQuery: "",
  phraseActive: 0,
  // issue 19: ratings of answers, the reasons' wording, the documents panel
  ratings: new Map(), // answer seq -> [rating events]
  ratingReasons: null, // { lang, map: Map(id -> text) } once asked
  docs: { agent: "", data: null, error: "", loading: false, preview: null, busy: false, open: new Set() },
  defaultAgent: "",
  agents: [], // GET /v1/agents: the packs an officer chooses from
};

/** Text kinds a person may translate (docs: `translate`). */
const TRANSLATABLE = new Set(["message", "question", "answer", "draft"]);

const ui = {};

/** The open session's conversation with the server (conversation.js); null when none. */
let client = null;

/** Keeps the log at its end while the reader is there (one layout read per frame); made at start. */
let follower = null;

function t(key, values) {
  const table = STRINGS[state.lang] || STRINGS.en;
  const template = key in table ? table[key] : STRINGS.en[key];
  return format(template === undefined ? key : template, values);
}

// ---------------------------------------------------------------------------
// Storage (never throws: storage may be disabled)

function tokenGet() {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

function tokenSet(value) {
  try {
    if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the token stays in memory only.
  }
}

// ---------------------------------------------------------------------------
// HTTP

/** The HTTP API with the staff token (api.js); a 401 once signed in means the token was
 *  revoked: back to the sign-in form. */
const api = createApi({
  token: () => state.token,
  onUnauthorized: () => {
    if (state.role) signOut("errSignedOutRevoked");
  },
});

function errorText(error) {
  if (!error) return "";
  if (error.code === "network") return t("errNetwork");
  return describeError(error.code, error.message || "");
}

function describeError(code, detail) {
  switch (code) {
    case "forbidden":
      return t("errForbidden", { detail });
    case "conflict":
      return /ended/i.test(detail) ? t("errEnded") : t("errConflict", { detail });
    case "rate_limited":
      return t("errRateLimited");
    case "unavailable":
      return t("errUnavailable");
    case "bad_request":
      return t("errBadRequest", { detail });
    case "not_found":
      return t("errNotFound", { detail });
    default:
      return t("errGeneric", { detail: detail || code });
  }
}

// ---------------------------------------------------------------------------
// Start

function start() {
  for (const id of [
    "conn-status", "conn-text", "conn-retry", "console-lang", "whoami", "sign-out", "view-signin", "signin-form",
    "token-input", "signin-error", "sign-in", "view-reviewer", "reviewer-title", "reviewer-signout", "view-console",
    "status-line", "create-form", "session-title", "session-languages", "session-agent", "session-assistant",
    "create-error", "create-session", "sessions-refresh", "sessions-error", "session-list", "conv-empty", "conv",
    "conv-title", "conv-meta", "assistant-mode", "end-session", "end-confirm-box", "end-session-confirm", "end-cancel",
    "conv-banner", "service-banner", "log", "log-empty", "events", "outbox", "jump", "composer", "composer-text", "send-say", "send-ask",
    "composer-note", "people", "people-empty", "lobby", "lobby-box", "session-scheduled", "schedule-fields",
    "session-start", "session-minutes", "session-zone", "session-agenda", "session-lobby", "week", "week-prev",
    "week-next", "week-range", "week-error", "requests", "requests-refresh", "requests-error", "requests-none",
    "outbox-list", "outbox-refresh", "outbox-error", "invites-refresh", "invites-none", "invite-form", "invite-name",
    "invite-language", "invite-days", "invite-org", "invite-error", "create-invite", "invite-result",
    "invite-result-title", "invite-link", "invite-copy", "invite-copy-status", "invite-dismiss", "invites-error",
    "invites", "search-form", "search-input", "search-go", "search-status", "search-results", "gaps-refresh",
    "handovers", "handovers-empty", "gaps", "gaps-empty", "gaps-error", "signin-title", "main",
    "mt-notice", "mt-notice-text", "mt-open-phrases", "mt-open-queue", "open-phrases", "queue-card", "queue-title",
    "queue-total", "queue-empty", "queue-tabs", "queue-panel", "queue-none", "queue-list", "phrase-dialog",
    "phrase-close", "phrase-search", "phrase-status", "phrase-list",
    "barometer-link", "open-documents", "attach-button", "attach-input", "docs-dialog", "docs-title", "docs-agent-form",
    "docs-agent", "docs-load", "docs-close", "docs-status", "docs-error", "docs-empty", "docs-families", "docs-upload-form",
    "docs-file", "docs-family", "docs-family-list", "docs-language", "docs-doc-title", "docs-source", "docs-date",
    "docs-zone", "docs-sector", "docs-upload-error", "docs-upload", "docs-preview", "docs-preview-title",
    "docs-preview-meta", "docs-preview-sections", "docs-preview-text", "docs-preview-error", "docs-publish", "docs-discard",
    "mt-dismiss", "work-card", "work-title", "work-total", "shortcuts-open", "drafts-count", "drafts-none", "drafts-queue",
    "handovers-count", "shortcuts-dialog", "shortcuts-close",
  ]) {
    ui[camel(id)] = document.getElementById(id);
  }
  follower = new LogFollower(ui.log, () => {
    ui.jump.hidden = false;
  });

  state.lang = initialStaffLanguage();
  fillLanguageSelect(ui.consoleLang, state.lang);
  buildLanguageChecks();

  ui.consoleLang.addEventListener("change", () => setLanguage(ui.consoleLang.value));
  ui.signinForm.addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(ui.tokenInput.value.trim());
  });
  ui.signOut.addEventListener("click", () => signOut());
  ui.reviewerSignout.addEventListener("click", () => signOut());
  ui.connRetry.addEventListener("click", reconnectNow);

  ui.createForm.addEventListener("submit", (event) => {
    event.preventDefault();
    createSession();
  });
  ui.sessionsRefresh.addEventListener("click", () => {
    loadSessions();
    loadCalendar();
  });
  startCalendar();

  ui.assistantMode.addEventListener("change", changeMode);
  ui.endSession.addEventListener("click", () => setEndConfirm(true));
  ui.endCancel.addEventListener("click", () => setEndConfirm(false));
  ui.endSessionConfirm.addEventListener("click", endSession);

  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submitComposer("say");
  });
  ui.sendAsk.addEventListener("click", () => submitComposer("ask"));
  // The text box grows with its text: CSS field-sizing where the browser has it, else here.
  if (!(window.CSS && CSS.supports && CSS.supports("field-sizing", "content"))) {
    ui.composerText.addEventListener("input", () => {
      ui.composerText.style.height = "auto";
      ui.composerText.style.height = `${ui.composerText.scrollHeight + 2}px`;
    });
  }
  ui.composerText.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.altKey) return;
    if (event.isComposing || event.keyCode === 229) return; // confirming an IME candidate
    event.preventDefault();
    submitComposer(event.ctrlKey || event.metaKey ? "ask" : "say");
  });
  ui.log.addEventListener("scroll", () => {
    if (isNearBottom()) ui.jump.hidden = true;
  });
  ui.jump.addEventListener("click", () => {
    scrollToBottom();
    ui.jump.hidden = true;
  });

  ui.inviteForm.addEventListener("submit", (event) => {
    event.preventDefault();
    createInvite();
  });
  ui.invitesRefresh.addEventListener("click", () => loadInvites());
  ui.inviteCopy.addEventListener("click", copyInvite);
  ui.inviteDismiss.addEventListener("click", () => {
    state.newInvite = null;
    renderNewInvite();
    ui.inviteName.focus();
  });

  ui.searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch();
  });
  ui.gapsRefresh.addEventListener("click", () => loadGaps());

  // The phrasebook: a button, Ctrl+K (⌘K), and the notice when nothing translates.
  ui.openPhrases.addEventListener("click", openPhrasePicker);
  ui.mtOpenPhrases.addEventListener("click", openPhrasePicker);
  ui.mtOpenQueue.addEventListener("click", () => {
    // The tools column scrolls on its own on a wide screen; the page does on a narrow one.
    const column = ui.queueCard.closest(".col-side");
    if (column && column.scrollHeight > column.clientHeight && getComputedStyle(column).overflowY !== "visible") {
      column.scrollTop += ui.queueCard.getBoundingClientRect().top - column.getBoundingClientRect().top - 8;
    } else {
      ui.queueCard.scrollIntoView({ block: "start" });
    }
    ui.queueTitle.focus({ preventScroll: true });
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") {
      if (!canWrite() || ui.viewConsole.hidden) return;
      event.preventDefault();
      openPhrasePicker();
    }
  });
  ui.phraseClose.addEventListener("click", closePhrasePicker);
  ui.phraseDialog.addEventListener("close", () => {
    if (ui.composerText && !ui.composer.hidden) ui.composerText.focus();
  });
  ui.phraseDialog.addEventListener("click", (event) => {
    if (event.target === ui.phraseDialog) closePhrasePicker(); // a click on the backdrop
  });
  ui.phraseSearch.addEventListener("input", () => {
    state.phraseQuery = ui.phraseSearch.value;
    state.phraseActive = 0;
    renderPhrases();
  });
  ui.phraseSearch.addEventListener("keydown", onPhraseKey);
  ui.queueTabs.addEventListener("keydown", onQueueTabKey);
  document.addEventListener("keydown", onShortcut);
  ui.shortcutsOpen.addEventListener("click", openShortcuts);
  ui.shortcutsClose.addEventListener("click", () => ui.shortcutsDialog.close());
  ui.shortcutsDialog.addEventListener("close", () => {
    const back = state.shortcutsFrom && state.shortcutsFrom.isConnected ? state.shortcutsFrom : ui.shortcutsOpen;
    state.shortcutsFrom = null;
    if (back && !back.closest("[hidden]")) back.focus();
  });
  ui.mtDismiss.addEventListener("click", () => {
    // Back only when something new happens: another reader language without a translation.
    state.mtDismissed = ui.mtNotice.dataset.languages || "";
    renderMtNotice();
    ui.log.focus();
  });
  startDocuments();
  ui.attachButton.addEventListener("click", () => {
    if (canWrite()) ui.attachInput.click();
  });
  ui.attachInput.addEventListener("change", () => {
    const files = [...(ui.attachInput.files || [])];
    ui.attachInput.value = "";
    for (const file of files) sendAttachment(file);
  });

  window.addEventListener("hashchange", () => {
    const id = sessionFromHash();
    if (consoleRole() && id && id !== state.sessionId) openSession(id);
  });
  window.addEventListener("online", () => {
    if (state.phase === "reconnecting") reconnectNow();
  });

  applyLanguage();
  const stored = tokenGet();
  if (stored) signIn(stored, true);
  else showView("signin");
}

function camel(id) {
  return id.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

function buildLanguageChecks() {
  ui.sessionLanguages.replaceChildren(
    ...SESSION_LANGUAGES.map((code) => {
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = "languages";
      box.value = code;
      box.checked = true;
      box.id = `session-lang-${code}`;
      const name = document.createElement("span");
      name.dataset.langName = code;
      label.append(box, name);
      return label;
    }),
  );
}

// ---------------------------------------------------------------------------
// Views, language

function showView(name) {
  ui.viewSignin.hidden = name !== "signin";
  ui.viewReviewer.hidden = name !== "reviewer";
  ui.viewConsole.hidden = name !== "console";
  ui.signOut.hidden = name === "signin";
  renderStaffLinks(name);
  renderWhoami();
}

/** The header's links to the barometer (every staff role) and the documents (officers). */
function renderStaffLinks(view = ui.viewConsole.hidden ? (ui.viewReviewer.hidden ? "signin" : "reviewer") : "console") {
  ui.barometerLink.hidden = view === "signin" || state.role === "interpreter";
  ui.openDocuments.hidden = view !== "console" || state.role !== "officer";
  ui.shortcutsOpen.hidden = view !== "console";
  if (ui.openDocuments.hidden && ui.docsDialog.open) ui.docsDialog.close();
}

function setLanguage(lang) {
  if (!STAFF_LANGUAGES.includes(lang) || lang === state.lang) return;
  state.lang = lang;
  rememberStaffLanguage(lang, state.me && state.me.id);
  applyLanguage();
  // Glossary translations, machine translations and the assistant's wording follow the
  // language of the hello: reconnect in the new language and load the history again.
  if (state.sessionId && consoleRole()) {
    resetConversation();
    restartConnection();
  }
  if (state.searchInfo && state.searchInfo.q) runSearch(state.searchInfo.q);
  if (state.role === "officer") loadAgents();
}

/** Signed in: the page takes the language this person chose on this browser, if any. */
function useLanguageOf(person) {
  const chosen = signedInLanguage(person, state.lang);
  if (chosen !== state.lang) {
    state.lang = chosen;
    applyLanguage();
  }
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  applyStrings(document, STRINGS[state.lang] || STRINGS.en);
  for (const span of document.querySelectorAll("[data-lang-name]")) {
    const code = span.dataset.langName;
    span.textContent = `${languageName(code, state.lang)} (${code})`;
  }
  ui.consoleLang.value = state.lang;
  // One line under the text box, cut with "…": the whole hint on hover.
  document.getElementById("composer-hint").title = t("composerHint");
  updateTitle();
  renderConn();
  renderSessions();
  renderSessionHeader();
  renderServiceBanner();
  renderPeople();
  renderInvites();
  renderNewInvite();
  renderInviteLanguages();
  renderSearch();
  renderGaps();
  renderHandovers();
  renderComposerState();
  renderWhoami();
  renderQueue();
  renderMtNotice();
  if (ui.phraseDialog && ui.phraseDialog.open) renderPhrases();
  renderDocuments();
  if (state.ratings.size) loadRatingReasons();
  for (const seq of state.elements.keys()) rerenderEvent(seq);
  for (const clientId of pendingItems().keys()) renderPending(clientId);
}

/** "(2) Port talks — Officer console — Quảng Ninh IPA": the count of items waiting first,
 *  so a background tab shows it. */
function updateTitle() {
  const base = `${t("pageTitle")} — Quảng Ninh IPA`;
  const title = state.session ? `${state.session.title} — ${base}` : base;
  document.title = state.waiting > 0 ? `(${state.waiting}) ${title}` : title;
}

function renderWhoami() {
  ui.whoami.textContent = state.me && state.me.name ? t("signedInAs", { name: state.me.name }) : "";
  ui.whoami.hidden = ui.viewConsole.hidden || !state.me;
}

let statusTimer = 0;
function showStatus(text, kind = "info") {
  clearTimeout(statusTimer);
  // The line is a live region: it stays in the page (empty, it takes no room; see
  // console.css) so screen readers announce each message. A live region that is shown at
  // the moment it gets its text is often not announced at all.
  ui.statusLine.dataset.kind = kind;
  ui.statusLine.textContent = text || "";
  if (text) statusTimer = setTimeout(() => (ui.statusLine.textContent = ""), kind === "error" ? 10000 : 4000);
}

function showFormError(element, text) {
  element.textContent = text || "";
  element.hidden = !text;
}


function formatDate(at, withTime = true) {
  const date = new Date(at);
  if (!at || Number.isNaN(date.getTime())) return "";
  try {
    return new Intl.DateTimeFormat(state.lang, withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" }).format(date);
  } catch {
    return date.toLocaleString();
  }
}

function timeElement(at) {
  const element = document.createElement("time");
  const date = new Date(at);
  if (!at || Number.isNaN(date.getTime())) return element;
  element.dateTime = at;
  const today = new Date().toDateString() === date.toDateString();
  const short = today
    ? { hour: "2-digit", minute: "2-digit" }
    : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
  try {
    element.textContent = new Intl.DateTimeFormat(state.lang, short).format(date);
    element.title = new Intl.DateTimeFormat(state.lang, { dateStyle: "full", timeStyle: "medium" }).format(date);
  } catch {
    element.textContent = date.toLocaleTimeString();
  }
  return element;
}

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

function button(label, className, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className || "button small";
  b.textContent = label;
  if (onClick) b.addEventListener("click", onClick);
  return b;
}

/** How long an armed confirming button waits for its second press. */
const CONFIRM_MS = 5000;

/** Armed confirming buttons, by key (`reject:SEQ`, `revoke:INVITE`): until when. Kept
 *  outside the buttons, so a re-render of the list keeps a button armed. */
const armedUntil = new Map();

/**
 * A button for an action that cannot be taken back (revoke an invite, reject a draft): the
 * first press arms it — its label asks for confirmation, announced to screen readers — and
 * only a second press within five seconds acts. Escape or the time disarms it.
 */
function confirmingButton(key, label, confirmLabel, className, action) {
  const armed = () => (armedUntil.get(key) || 0) > Date.now();
  // Disarmed when its time is up; typing in what it showed (a reason) keeps it armed.
  const disarmLater = () =>
    setTimeout(() => (armed() ? disarmLater() : disarm(key)), Math.max(0, (armedUntil.get(key) || 0) - Date.now()) + 50);
  const b = button(armed() ? confirmLabel : label, className, () => {
    if (armed()) {
      armedUntil.delete(key);
      showArmed(key, false, true);
      action();
      return;
    }
    armedUntil.set(key, Date.now() + CONFIRM_MS);
    b.dataset.armed = "true";
    b.textContent = confirmLabel;
    showArmed(key, true);
    disarmLater();
  });
  Object.assign(b.dataset, { confirmKey: key, label, confirmLabel, armed: String(armed()) });
  b.setAttribute("aria-live", "assertive");
  return b;
}

/** Shows every button of `key` armed or not (a re-render may have replaced the one pressed),
 *  and what only an armed button needs (a reject's reason field). A field in use — focused,
 *  or holding text — stays unless `force` (the action was taken). */
function showArmed(key, on, force = false) {
  for (const other of document.querySelectorAll("button[data-confirm-key]")) {
    if (other.dataset.confirmKey !== key) continue;
    other.dataset.armed = String(on);
    other.textContent = on ? other.dataset.confirmLabel : other.dataset.label;
  }
  for (const part of document.querySelectorAll("[data-shown-when-armed]")) {
    if (part.dataset.shownWhenArmed !== key) continue;
    const inUse = part.contains(document.activeElement) || [...part.querySelectorAll("input, textarea")].some((f) => f.value);
    if (on || force || !inUse) part.hidden = !on;
  }
}

function disarm(key) {
  armedUntil.delete(key);
  showArmed(key, false);
}

/** Escape anywhere disarms every armed button; true when one was. */
function disarmAll() {
  const keys = [...armedUntil.keys()].filter((key) => (armedUntil.get(key) || 0) > Date.now());
  for (const key of [...armedUntil.keys()]) disarm(key);
  return keys.length > 0;
}

/** Typing in what an armed button showed keeps it armed for another five seconds. */
function keepArmed(key) {
  if ((armedUntil.get(key) || 0) > Date.now()) armedUntil.set(key, Date.now() + CONFIRM_MS);
}

/** Appends `text` to `container`, turning http(s) addresses into links (as text nodes). */
function appendLinkified(container, text) {
  const pattern = /https?:\/\/[^\s<>"')\]]+/g;
  let cursor = 0;
  for (const match of String(text).matchAll(pattern)) {
    let url = match[0].replace(/[.,;:]+$/, "");
    if (match.index > cursor) container.append(text.slice(cursor, match.index));
    const link = document.createElement("a");
    link.href = url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    link.textContent = url;
    container.append(link);
    cursor = match.index + url.length;
  }
  if (cursor < text.length) container.append(text.slice(cursor));
}

// ---------------------------------------------------------------------------
// Sign in / out

async function signIn(token, silent = false) {
  showFormError(ui.signinError, "");
  if (!token) {
    showView("signin");
    if (!silent) {
      showFormError(ui.signinError, t("errTokenEmpty"));
      ui.tokenInput.focus();
    }
    return;
  }
  state.token = token;
  ui.signIn.disabled = true;
  ui.signIn.textContent = t("signingIn");
  try {
    // Who is this? The WebSocket hello answers with the role (and a refusal leaves no
    // failed request in the browser's console); over HTTP only when that is not possible.
    let role = null;
    try {
      const you = await probeRole(token);
      role = staffRole(you.role);
      state.me = { id: you.id, name: you.name, role: you.role };
      useLanguageOf(you.id);
    } catch (error) {
      if (error.code !== "network") throw error;
    }
    if (role !== "reviewer") {
      const data = await api("GET", "/v1/sessions");
      state.sessions = Array.isArray(data && data.sessions) ? data.sessions : [];
    }
    if (role === null) {
      // /v1/gaps is officer-only: a reviewer's token gets 403.
      role = "officer";
      try {
        const gaps = await api("GET", "/v1/gaps");
        state.gaps = Array.isArray(gaps && gaps.gaps) ? gaps.gaps : [];
      } catch (error) {
        if (error.status === 403) role = "reviewer";
        else throw error;
      }
    }
    tokenSet(token);
    ui.tokenInput.value = "";
    state.role = role;
    if (role === "reviewer") {
      showView("reviewer");
      ui.reviewerTitle.focus();
      return;
    }
    showView("console");
    applyRole();
    clearInterval(state.sessionsTimer);
    // Keep the list (presence counts, sessions other officers create) reasonably fresh.
    state.sessionsTimer = setInterval(() => {
      if (!document.hidden && consoleRole()) loadSessions();
    }, 30000);
    renderSessions();
    renderGaps();
    const wanted = sessionFromHash();
    if (wanted) openSession(wanted);
    else ui.main.focus({ preventScroll: true });
    loadGaps();
    if (role === "officer") loadAgents();
  } catch (error) {
    state.token = "";
    state.role = null;
    state.me = null; // and the page is back in the signed-out page's language
    const lang = initialStaffLanguage();
    if (lang !== state.lang) {
      state.lang = lang;
      applyLanguage();
    }
    if (error.status === 401) tokenSet("");
    showView("signin");
    const message =
      error.status === 401 || error.code === "unauthorized"
        ? t("errTokenRejected")
        : error.status === 429 || error.code === "rate_limited"
          ? t("errTokenRate")
          : errorText(error);
    showFormError(ui.signinError, message);
    ui.tokenInput.focus();
  } finally {
    ui.signIn.disabled = false;
    ui.signIn.textContent = t("signIn");
  }
}

/** The console's role for an account's: an administrator works as an officer here. */
function staffRole(role) {
  if (role === "officer" || role === "admin") return "officer";
  return role === "interpreter" ? "interpreter" : "reviewer";
}

/** Opens a WebSocket, says hello with `token`, and resolves with `welcome.you`; rejects with
 *  an ApiError coded `unauthorized`, `rate_limited` or `network`. The socket is closed. */
/** The account behind a staff token, asked over the WebSocket (socket.js); rejects like an
 *  API call would, so the HTTP check can decide when the socket has no answer. */
async function probeRole(token) {
  const result = await probeStaffToken(token, state.lang);
  if (result.verdict === "ok") return result.you;
  if (result.verdict === "refused") throw new ApiError(401, "unauthorized", "");
  if (result.verdict === "rate_limited") throw new ApiError(429, "rate_limited", result.message);
  throw new ApiError(0, "network", "no answer over the WebSocket");
}

function signOut(reasonKey) {
  clearInterval(state.sessionsTimer);
  tokenSet("");
  state.token = "";
  state.role = null;
  state.me = null;
  closeSession();
  state.sessions = [];
  state.gaps = [];
  state.share = null;
  state.searchResults = [];
  state.searchInfo = null;
  state.docs = { agent: "", data: null, error: "", loading: false, preview: null, busy: false, open: new Set() };
  renderSessions();
  renderGaps();
  renderSearch();
  renderDocuments();
  // The signed-out page's language, not the last person's.
  const lang = initialStaffLanguage();
  if (lang !== state.lang) {
    state.lang = lang;
    applyLanguage();
  }
  showView("signin");
  showFormError(ui.signinError, reasonKey ? t(reasonKey) : "");
  ui.tokenInput.value = "";
  ui.tokenInput.focus();
}

// ---------------------------------------------------------------------------
// Sessions

function sessionFromHash() {
  let id = "";
  try {
    id = decodeURIComponent(location.hash.slice(1));
  } catch {
    return null; // a malformed %-escape: not a session id
  }
  return /^ses_[a-z0-9]+$/i.test(id) ? id : null;
}

async function loadSessions() {
  ui.sessionList.setAttribute("aria-busy", "true");
  try {
    const data = await api("GET", "/v1/sessions");
    state.sessions = Array.isArray(data && data.sessions) ? data.sessions : [];
    showFormError(ui.sessionsError, "");
  } catch (error) {
    showFormError(ui.sessionsError, errorText(error));
  } finally {
    ui.sessionList.setAttribute("aria-busy", "false");
  }
  if (state.session) {
    const fresh = state.sessions.find((s) => s.id === state.sessionId);
    if (fresh) mergeSession(fresh, false);
  }
  if (!calendar.loadedOnce) {
    calendar.loadedOnce = true;
    loadCalendar();
  }
  renderSessions();
}

function sortedSessions(status) {
  return state.sessions
    .filter((s) => s.status === status)
    .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
}

function renderSessions() {
  if (!ui.sessionList) return;
  const active = document.activeElement;
  const focused = active && ui.sessionList.contains(active) ? active.dataset.session : null;
  const groups = [];
  for (const status of ["scheduled", "live", "ended"]) {
    const list = sortedSessions(status);
    if ((status === "ended" || status === "scheduled") && list.length === 0) continue;
    const group = el("section", `session-group ${status}`);
    const headingId = `sessions-${status}`;
    const heading = el("h3", "sub-head", t(status));
    heading.id = headingId;
    group.append(heading);
    if (list.length === 0) {
      group.append(el("p", "muted-note", state.sessions.length ? t("noLive") : t("noSessions")));
    } else {
      const ul = el("ul", "sessions");
      ul.setAttribute("aria-labelledby", headingId);
      for (const session of list) {
        const li = el("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "session-item";
        b.dataset.session = session.id;
        if (session.id === state.sessionId) b.setAttribute("aria-current", "true");
        const title = el("span", "session-item-title", session.title || session.id);
        const participants = Array.isArray(session.participants) ? session.participants : [];
        const online = participants.filter((p) => p.online).length;
        const meta = el(
          "span",
          "session-item-meta",
          t("sessionItemMeta", {
            date: formatDate(session.createdAt),
            people: t("peopleCount", { online, total: participants.length }),
          }),
        );
        b.append(title, meta);
        b.addEventListener("click", () => openSession(session.id));
        li.append(b);
        ul.append(li);
      }
      group.append(ul);
    }
    groups.push(group);
  }
  ui.sessionList.replaceChildren(...keepIdentity(ui.sessionList, groups, "data-session"));
  if (focused) {
    const again = ui.sessionList.querySelector(`[data-session="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

/** The open session's entry in the list follows what this page knows of its people. */
function syncListedSession() {
  const listed = state.sessions.find((s) => s.id === state.sessionId);
  if (!listed || state.participants.size === 0) return;
  const people = [...state.participants.values()].map((p) =>
    state.ended ? { ...p, online: false } : state.me && p.id === state.me.id ? { ...p, online: state.phase === "live" } : p,
  );
  const before = JSON.stringify(listed.participants || []);
  listed.participants = people;
  if (JSON.stringify(people) !== before) renderSessions();
}

async function createSession() {
  showFormError(ui.createError, "");
  const title = ui.sessionTitle.value.trim();
  if (!title) {
    showFormError(ui.createError, t("errTitleEmpty"));
    ui.sessionTitle.focus();
    return;
  }
  const languages = [...ui.sessionLanguages.querySelectorAll("input:checked")].map((box) => box.value);
  if (languages.length === 0) {
    showFormError(ui.createError, t("errNoLanguage"));
    ui.sessionLanguages.querySelector("input").focus();
    return;
  }
  const body = { title, languages, assistant: ui.sessionAssistant.value };
  const agent = ui.sessionAgent.value.trim();
  if (agent) body.agent = agent;
  if (ui.sessionLobby.checked) body.lobby = true;
  if (ui.sessionScheduled.checked) {
    const zone = ui.sessionZone.value;
    const startsAt = wallTimeToUTC(ui.sessionStart.value, zone);
    if (!startsAt) {
      showFormError(ui.createError, t("errNoStart"));
      ui.sessionStart.focus();
      return;
    }
    const minutes = Number(ui.sessionMinutes.value) || 60;
    body.startsAt = startsAt;
    body.endsAt = new Date(Date.parse(startsAt) + minutes * 60000).toISOString().replace(/\.\d{3}Z$/, "Z");
    body.timeZone = zone;
    const agenda = ui.sessionAgenda.value.trim();
    if (agenda) body.agenda = agenda;
  }
  ui.createSession.disabled = true;
  try {
    const session = await api("POST", "/v1/sessions", body);
    ui.sessionTitle.value = "";
    ui.sessionAgenda.value = "";
    showStatus(t("created", { title: session.title }));
    if (session.startsAt) loadWeek();
    if (!state.sessions.some((s) => s.id === session.id)) state.sessions.push(session);
    renderSessions();
    openSession(session.id);
    loadSessions();
  } catch (error) {
    showFormError(ui.createError, errorText(error));
  } finally {
    ui.createSession.disabled = false;
  }
}

/** Opens a session: its details, invites, and a connection that joins it. */
async function openSession(id) {
  if (!consoleRole()) return;
  if (id === state.sessionId && state.session) {
    ui.convTitle.focus();
    return;
  }
  closeSession();
  state.sessionId = id;
  state.mtDismissed = "";
  loadHandled();
  if (location.hash !== `#${id}`) history.replaceState(null, "", `#${id}`);
  const known = state.sessions.find((s) => s.id === id);
  if (known) mergeSession(known, true, -Infinity);
  renderSessions();
  renderSessionPanels();
  connect();
  try {
    const since = performance.now();
    const session = await api("GET", `/v1/sessions/${encodeURIComponent(id)}`);
    if (state.sessionId !== id) return;
    mergeSession(session, true, since);
  } catch (error) {
    if (state.sessionId !== id) return;
    showStatus(errorText(error), "error");
    if (error.status === 404) {
      closeSession();
      history.replaceState(null, "", location.pathname);
      renderSessionPanels();
      return;
    }
  }
  renderSessionPanels();
  ui.convTitle.focus();
  if (state.role === "officer") {
    loadInvites();
    loadGaps();
    loadPhrases();
  }
}

/** Takes in a session object from HTTP; `since` is when that request started: a presence
 *  frame received after it is newer than the answer, and wins. */
function mergeSession(session, withParticipants, since = Infinity) {
  state.session = { ...(state.session || {}), ...session };
  if (session.status === "ended") markEnded();
  if (withParticipants && Array.isArray(session.participants)) {
    for (const p of session.participants) {
      const known = state.participants.get(p.id);
      const newer = known && (state.presenceAt.get(p.id) ?? -Infinity) > since;
      state.participants.set(p.id, newer ? { ...p, ...known } : { ...(known || {}), ...p });
    }
  }
  renderSessionHeader();
  renderPeople();
  renderInviteLanguages();
}

async function refreshSession() {
  const id = state.sessionId;
  if (!id) return;
  try {
    const since = performance.now();
    const session = await api("GET", `/v1/sessions/${encodeURIComponent(id)}`);
    if (state.sessionId === id) mergeSession(session, true, since);
  } catch {
    // The next reconnect or refresh tries again.
  }
}

function closeSession() {
  clearInterval(state.countdownTimer);
  if (client) client.stop({ reason: "closed" });
  client = null; // its outbox goes with it
  state.sessionId = null;
  state.session = null;
  state.participants.clear();
  state.presenceAt.clear();
  state.lobby = [];
  renderLobby();
  state.joins = 0;
  state.removed.clear();
  state.peopleUi.clear();
  state.draftUi.clear();
  state.invites = [];
  state.newInvite = null;
  state.ended = false;
  state.endConfirm = false;
  state.machineEngine = undefined;
  state.queueChosen = false;
  state.translateUi.clear();
  state.phrases = null;
  state.share = null; // a passage edited for one meeting is not offered in the next
  state.lastVisited = 0;
  state.waiting = 0;
  if (ui.phraseDialog && ui.phraseDialog.open) ui.phraseDialog.close();
  resetConversation();
  setPhase("idle");
  renderSessionPanels();
}

function resetConversation() {
  state.translations.clear();
  state.ratings.clear();
  state.events.clear();
  state.elements.clear();
  state.questionStates.clear();
  state.draftOutcomes.clear();
  state.historyDone = false;
  if (ui.events) ui.events.replaceChildren();
  renderHandovers();
  updateEmpty();
}

function renderSessionPanels() {
  const open = Boolean(state.sessionId);
  ui.viewConsole.classList.toggle("has-session", open);
  ui.convEmpty.hidden = open;
  ui.conv.hidden = !open;
  ui.peopleEmpty.hidden = open;
  renderSessionHeader();
  renderPeople();
  renderInvites();
  renderNewInvite();
  renderInviteLanguages();
  renderSearch();
  renderHandovers();
  renderComposerState();
  renderOutbox();
  renderQueue();
  renderMtNotice();
  updateTitle();
}

function renderSessionHeader() {
  const s = state.session;
  ui.convTitle.textContent = s ? s.title || s.id : state.sessionId || "";
  if (s) {
    const langs = (Array.isArray(s.languages) ? s.languages : []).join(", ");
    ui.convMeta.textContent = t("convMeta", {
      status: state.ended
        ? t("statusEnded")
        : s.status === "scheduled" && s.startsAt
          ? t("statusScheduled", { when: formatDate(s.startsAt) })
          : t("statusLive"),
      agent: s.agent || "",
      languages: langs,
    });
  } else {
    ui.convMeta.textContent = "";
  }
  ui.assistantMode.value = (s && s.assistant) || "review";
  ui.assistantMode.disabled = !s || state.ended;
  ui.endSession.hidden = !s || state.ended;
  ui.endConfirmBox.hidden = !state.endConfirm || state.ended;
  ui.convBanner.hidden = !state.ended;
  ui.convBanner.className = "banner info";
  ui.convBanner.textContent = state.ended ? t("endedBanner") : "";
  updateTitle();
}

function markEnded() {
  if (state.ended) return;
  // The End buttons and the composer disappear: keep keyboard focus in the conversation.
  const active = document.activeElement;
  const loseFocus =
    !active ||
    active === document.body ||
    (ui.endConfirmBox && ui.endConfirmBox.contains(active)) ||
    active === ui.endSession ||
    (ui.composer && ui.composer.contains(active));
  state.ended = true;
  state.endConfirm = false;
  if (state.session) state.session.status = "ended";
  // Nobody is in a meeting that ended: its people and its card say so at once.
  for (const [id, p] of state.participants) state.participants.set(id, { ...p, online: false });
  const listed = state.sessions.find((s) => s.id === state.sessionId);
  if (listed) {
    listed.status = "ended";
    if (Array.isArray(listed.participants)) listed.participants = listed.participants.map((p) => ({ ...p, online: false }));
  }
  if (client) client.failWaiting("conflict", "session ended");
  renderSessions();
  renderSessionHeader();
  renderPeople();
  renderInvites();
  renderSearch();
  renderComposerState();
  for (const [seq, event] of state.events) if (event.kind === "draft") rerenderEvent(seq);
  // Nothing waits in a meeting that ended: the queues, the counts and the title say so.
  scheduleQueue();
  if (loseFocus && ui.convTitle) ui.convTitle.focus();
}

function changeMode() {
  const mode = ui.assistantMode.value;
  if (!state.session || !MODES.includes(mode) || mode === state.session.assistant) return;
  if (!sendAction({ type: "moderate", session: state.sessionId, action: "assistant", mode }, { kind: "mode" })) {
    ui.assistantMode.value = state.session.assistant;
  }
}

function setEndConfirm(open) {
  state.endConfirm = open && !state.ended;
  ui.endSessionConfirm.disabled = false;
  renderSessionHeader();
  if (state.endConfirm) ui.endSessionConfirm.focus();
  else ui.endSession.focus();
}

function endSession() {
  if (!state.sessionId || state.ended) return;
  if (sendAction({ type: "end", session: state.sessionId }, { kind: "end" })) {
    ui.endSessionConfirm.disabled = true;
  }
}

/** The open session's connection (conversation.js): joins it, and again after a drop. */
function connect() {
  if (!state.sessionId || !state.token) return;
  client = new Conversation({
    url: socketURL(),
    token: state.token,
    language: state.lang,
    mode: "join",
    session: state.sessionId,
  });
  client
    .on("connecting", onConnecting)
    .on("welcome", ({ frame }) => onWelcome(frame))
    .on("event", ({ event, fromHistory }) => onEvent(event, fromHistory))
    .on("caughtup", onCaughtUp)
    .on("outbox", onOutbox)
    .on("translation", onTranslation)
    .on("redacted", ({ seq }) => dropRedacted(seq))
    .on("presence", ({ participant }) => {
      state.presenceAt.set(participant.id, performance.now());
      upsertParticipant(participant);
    })
    .on("lobby", ({ waiting }) => {
      state.lobby = waiting;
      renderLobby();
    })
    .on("service", onService)
    .on("error", onError)
    .on("closed", onClosed)
    .on("retry", onRetry);
  client.start();
}

/** The outbox of the open session (empty when none). */
function pendingItems() {
  return client ? client.outbox : new Map();
}

function onConnecting({ attempt }) {
  // The warning was about the previous connection's server: this one may be another, or
  // the same one working again; it says so after its welcome if it still cannot store.
  setStoreDown(false);
  setPhase(attempt > 0 || client.lastSeq > 0 ? "reconnecting" : "connecting");
}

/** Closes the current connection on purpose and opens a new one (language change). */
function restartConnection() {
  if (!client) {
    connect();
    return;
  }
  client.language = state.lang;
  client.restart({ reset: true, reason: "language change" });
}

function onClosed(closed) {
  if (closeVerdict(closed, { staff: true }) === "refused") {
    // Unauthorized (token revoked): never retry with the same token.
    client.stop();
    setPhase("offline");
    signOut("errSignedOutRevoked");
  }
  // Otherwise the conversation schedules a reconnect (onRetry).
}

function onRetry({ at }) {
  state.retryAt = at;
  clearInterval(state.countdownTimer);
  state.countdownTimer = setInterval(renderConn, 1000);
  setPhase("reconnecting");
}

function reconnectNow() {
  if (client) client.reconnectNow();
}

function setPhase(phase) {
  state.phase = phase;
  if (phase !== "reconnecting" || !(client && client.waiting)) clearInterval(state.countdownTimer);
  renderConn();
  renderComposerState();
  if (!ui.people) return;
  ui.people.classList.toggle("stale", phase !== "live");
  // Buttons that need the connection (moderation, draft decisions, share) follow it.
  renderPeople();
  renderSearch();
  for (const [seq, event] of state.events) {
    if (event.kind === "draft" && !state.draftOutcomes.has(seq)) rerenderEvent(seq);
    else if (TRANSLATABLE.has(event.kind)) refreshTranslateTools(seq);
  }
  scheduleQueue();
}

function renderConn() {
  if (!ui.connStatus) return;
  const phase = state.phase;
  ui.connStatus.hidden = phase === "idle";
  const waiting = phase === "reconnecting" && Boolean(client && client.waiting);
  ui.connStatus.dataset.state = phase;
  const label = {
    connecting: "connConnecting",
    live: "connLive",
    reconnecting: "connReconnecting",
    offline: "connOffline",
  }[phase];
  // #conn-status is a live region and this runs every second while a reconnect is counted
  // down: the label is only rewritten when it changes, so it is announced once, and the
  // countdown (hidden from screen readers) is updated in place.
  const text = label ? t(label) : "";
  let labelNode = ui.connText.firstChild;
  if (!labelNode || labelNode.nodeType !== Node.TEXT_NODE) {
    labelNode = document.createTextNode("");
    ui.connText.prepend(labelNode);
  }
  if (labelNode.data !== text) labelNode.data = text;
  let count = ui.connText.querySelector(".countdown");
  if (waiting) {
    const seconds = Math.max(1, Math.ceil((state.retryAt - Date.now()) / 1000));
    if (!count) {
      count = el("span", "countdown");
      count.setAttribute("aria-hidden", "true");
      ui.connText.append(count);
    }
    count.textContent = ` (${t("connWait", { s: seconds })})`;
  } else if (count) {
    count.remove();
  }
  ui.connRetry.hidden = !waiting;
}

/** Frames without a clientId (approve, reject, moderate, end): an error that follows
 *  without `ref` is attributed to the latest of them (conversation.js). */
function sendAction(frame, action) {
  if (!client || !client.action(frame, action)) {
    showStatus(t("connOffline"), "error");
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Frames from the server

// The server removed an event's text (docs/protocol.md, "Redaction"): the page drops it too,
// with its translation and terms, and says so in the reader's language.
function dropRedacted(seq) {
  // The queues quote texts too: the redacted text leaves the page's state as well.
  const event = state.events.get(Number(seq));
  if (event) state.events.set(Number(seq), { ...event, text: "", terms: [], redacted: true });
  scheduleQueue();
  for (const item of document.querySelectorAll(`li[data-seq="${Number(seq)}"]`)) {
    const body = item.querySelector(".msg-body");
    if (body) body.replaceChildren(redactedNote());
  }
}

function redactedNote() {
  const note = document.createElement("div");
  note.className = "msg-text redacted";
  note.textContent = `(${t("textRedacted")})`;
  return note;
}

function onWelcome(frame) {
  const you = frame.you || {};
  state.me = { id: you.id, name: you.name, role: you.role };
  renderWhoami();
  if (staffRole(you.role) === "reviewer") {
    // A reviewer's token: the server would refuse every write.
    state.role = "reviewer";
    closeSession();
    showView("reviewer");
    ui.reviewerTitle.focus();
    return;
  }
  state.historyDone = false;
  state.joins += 1;
  // Whether anything translates messages here (null: no provider; absent: not said).
  state.machineEngine = machineEngineOf(frame);
  renderMtNotice();
  // After a reconnect, presence changes missed while away: ask for the participants again.
  if (state.joins > 1) refreshSession();
  ui.log.setAttribute("aria-busy", "true");
  updateEmpty();
  // The conversation sends `join` (with `after` when resuming) once this returns.
  setPhase("live");
}

/** The history is complete (the outbox has been sent again by then). */
function onCaughtUp() {
  state.historyDone = true;
  ui.log.setAttribute("aria-busy", "false");
  updateEmpty();
  scrollToBottom();
  loadTranslations();
  scheduleQueue();
}

function onEvent(event, fromHistory) {
  if (event.translation && typeof event.translation.text === "string") storeTranslation(event.seq, event.translation);
  state.events.set(event.seq, event);
  applyEvent(event, fromHistory);

  const mine = Boolean(state.me && event.from && event.from.id === state.me.id);
  const element = renderEvent(event);
  if (element) {
    // History ends with one scroll to the end (below); live events follow the reader.
    if (!fromHistory) follower.willAdd(mine);
    insertInOrder(element, event.seq);
  }
  updateEmpty();
  if (TRANSLATABLE.has(event.kind)) scheduleQueue();
}

function applyEvent(event, fromHistory) {
  const from = event.from || {};
  switch (event.kind) {
    case "joined":
      if (from.id) {
        const known = state.participants.get(from.id);
        upsertParticipant({
          id: from.id,
          role: from.role,
          name: from.name,
          language: event.language,
          ...(known ? {} : { online: !fromHistory, muted: false }),
        });
      }
      break;
    case "moderation":
      if (event.action === "mute" || event.action === "unmute") {
        const target = state.participants.get(event.target);
        if (target) upsertParticipant({ ...target, muted: event.action === "mute" });
        clearPersonBusy(event.target);
      } else if (event.action === "remove") {
        state.removed.add(event.target);
        const target = state.participants.get(event.target);
        if (target) upsertParticipant({ ...target, online: false });
        clearPersonBusy(event.target);
        if (!fromHistory) loadInvites();
        else renderInvites();
      } else if (event.action === "assistant" && MODES.includes(event.mode)) {
        if (state.session) state.session.assistant = event.mode;
        const listed = state.sessions.find((s) => s.id === state.sessionId);
        if (listed) listed.assistant = event.mode;
        renderSessionHeader();
        if (!fromHistory) showStatus(t("modeChanged", { mode: t(`modeOpt_${event.mode}`) }));
      }
      break;
    case "status":
      if (Number.isInteger(event.about)) {
        state.questionStates.set(event.about, event);
        updateQuestionState(event.about);
        decideDraftsFromStatus(event);
      }
      break;
    case "answer":
      if (Number.isInteger(event.draft)) {
        setDraftOutcome(event.draft, {
          state: event.contact ? "handed_over" : "answered",
          by: event.approvedBy,
          edited: Boolean(event.edited),
        });
      }
      if (event.contact) renderHandovers();
      break;
    case "ended":
      markEnded();
      if (!fromHistory) loadSessions();
      break;
    case "rating":
      // Shown on the rated answer (its badge), not as an item of its own.
      if (Number.isInteger(event.about)) {
        const list = state.ratings.get(event.about) || [];
        if (!list.some((known) => known.seq === event.seq)) list.push(event);
        state.ratings.set(event.about, list);
        loadRatingReasons();
        rerenderEvent(event.about);
      }
      break;
    default:
      break;
  }
}

function decideDraftsFromStatus(status) {
  if (status.state === "rejected") {
    const draft = Number.isInteger(status.draft) ? status.draft : findDraftAbout(status.about);
    if (draft) setDraftOutcome(draft, { state: "rejected", by: status.rejectedBy, reason: status.reason || "" });
    return;
  }
  if (status.state === "answered" || status.state === "handed_over") {
    for (const [seq, event] of state.events) {
      if (event.kind === "draft" && event.about === status.about && !state.draftOutcomes.has(seq)) {
        setDraftOutcome(seq, { state: status.state, by: null });
      }
    }
  }
}

function findDraftAbout(about) {
  let found = 0;
  for (const [seq, event] of state.events) {
    if (event.kind === "draft" && event.about === about && !state.draftOutcomes.has(seq)) found = seq;
  }
  return found;
}

function setDraftOutcome(draftSeq, outcome) {
  state.draftOutcomes.set(draftSeq, outcome);
  scheduleWork();
  const uiState = state.draftUi.get(draftSeq);
  if (uiState) {
    uiState.busy = false;
    uiState.editing = false;
  }
  rerenderEvent(draftSeq);
}

/** What happened to an item of the outbox. */
function onOutbox({ clientId, item, change }) {
  if (change === "removed") {
    removePendingElement(clientId);
    return;
  }
  if (change === "failed" && item.code === "conflict" && /ended/i.test(item.detail)) markEnded();
  renderPending(clientId);
  if (change === "queued") {
    updateEmpty();
    scrollToBottom();
  }
}

function onTranslation({ translation, seq, event }) {
  // Staff get every language's translations: the console's own language is shown under
  // the original (the conversation keeps one that comes before its event), the others
  // feed the translation queue.
  storeTranslation(seq, translation);
  if (!event) return;
  // The editor that sent this human translation is done.
  const key = translateKey(seq, translation.language);
  const editor = state.translateUi.get(key);
  if (editor && translation.engine === "human" && (!translation.by || !state.me || translation.by.id === state.me.id)) {
    state.translateUi.delete(key);
  }
  // The conversation has already put it on the event when it is the console's language and
  // no worse than the one there (`applied`): one rule, conversation.js's.
  rerenderEvent(seq);
  scheduleQueue();
}

/** Keeps a translation of `seq` (any language) unless a better one is kept; true if kept. */
function storeTranslation(seq, translation) {
  if (!translation || typeof translation.text !== "string" || !translation.language) return false;
  const language = primaryLanguage(translation.language);
  let byLanguage = state.translations.get(seq);
  if (!byLanguage) state.translations.set(seq, (byLanguage = new Map()));
  if (!replaces(translation, byLanguage.get(language))) return false;
  byLanguage.set(language, translation);
  return true;
}

/** The best translation of `event` into `language`: a person's, the phrasebook's, a machine's. */
function bestTranslation(event, language) {
  const stored = (state.translations.get(event.seq) || new Map()).get(primaryLanguage(language)) || null;
  const phrase = phraseTranslation(event, language);
  return translationRank(phrase) > translationRank(stored) ? phrase : stored;
}

/** Every stored translation of the session (machine and human), after the history: the
 *  queue's starting point and the interpreter's starting text. */
async function loadTranslations() {
  const id = state.sessionId;
  // A server of this protocol's second wave says whether it translates (welcome's
  // `machineTranslation`); an older one has no translations route to ask.
  if (!id || state.machineEngine === undefined) return;
  try {
    const data = await api("GET", `/v1/sessions/${encodeURIComponent(id)}/translations`);
    if (state.sessionId !== id) return;
    const changed = new Set();
    for (const item of Array.isArray(data && data.translations) ? data.translations : []) {
      if (!item || !Number.isInteger(item.seq)) continue;
      if (storeTranslation(item.seq, translationOf(item))) changed.add(item.seq);
    }
    for (const seq of changed) {
      const event = state.events.get(seq);
      if (!event) continue;
      const own = bestTranslation(event, state.lang);
      if (own && own.engine !== "phrasebook" && replaces(own, event.translation)) event.translation = own;
      rerenderEvent(seq);
    }
    scheduleQueue();
  } catch {
    // An older server without the route: the queue works from live frames alone.
  }
}

/** `service`: the server lost or regained its database (other `store` values, of later
 *  protocol versions, are ignored by conversation.js). */
function onService({ down, back }) {
  if (!down && back) showStatus(t("serviceBack"));
  setStoreDown(down);
}

function setStoreDown(down) {
  state.storeDown = down;
  renderServiceBanner();
}

/** Apart from the ended banner, and kept until the store is back or the connection is
 *  replaced: a status line message would be gone in seconds. */
function renderServiceBanner() {
  if (!ui.serviceBanner) return;
  ui.serviceBanner.hidden = !state.storeDown;
  // role="alert": set the words only when they change, so they are announced once.
  const text = state.storeDown ? t("serviceUnavailable") : "";
  if (ui.serviceBanner.textContent !== text) ui.serviceBanner.textContent = text;
}

/** An error that is not about an item of the outbox (`unauthorized` closes the socket);
 *  `action`: the frame without a clientId it is about, when known. */
function onError({ code, message: detail, ref, action }) {
  if (ref) {
    // About a say/ask that is no longer in the outbox (discarded, or already stored): it
    // says nothing about the draft decision or moderation sent last, so leave that pending.
    if (code === "conflict" && /ended/i.test(detail)) markEnded();
    showStatus(describeError(code, detail), "error");
    return;
  }
  const message = describeError(code, detail);
  if (code === "conflict" && /ended/i.test(detail)) markEnded();
  if (action) {
    if (action.kind === "draft") {
      const draftState = state.draftUi.get(action.ref);
      if (draftState) {
        draftState.busy = false;
        draftState.error = code === "not_found" ? t("draftGone") : message;
        rerenderEvent(action.ref);
      }
    } else if (action.kind === "person") {
      const personState = state.peopleUi.get(action.ref);
      if (personState) {
        personState.busy = false;
        personState.error = message;
      }
      renderPeople();
    } else if (action.kind === "mode") {
      if (state.session) ui.assistantMode.value = state.session.assistant;
    } else if (action.kind === "end") {
      ui.endSessionConfirm.disabled = false;
    } else if (action.kind === "translate") {
      const editor = state.translateUi.get(action.ref);
      if (editor) {
        editor.busy = false;
        editor.error = message;
        refreshTranslateTools(Number(action.ref.split("|")[0]));
      }
    }
  }
  showStatus(message, "error");
}

// ---------------------------------------------------------------------------
// Participants

function upsertParticipant(participant) {
  if (!participant || !participant.id) return;
  const known = state.participants.get(participant.id) || {};
  state.participants.set(participant.id, { ...known, ...participant });
  renderPeople();
}

function clearPersonBusy(id) {
  const personState = state.peopleUi.get(id);
  if (personState) {
    personState.busy = false;
    personState.error = "";
    personState.confirmRemove = false;
  }
}

const ROLE_ORDER = { officer: 0, assistant: 1, investor: 2 };

function renderPeople() {
  if (!ui.people) return;
  const focusedKey = focusKey(ui.people);
  const people = [...state.participants.values()].filter((p) => p.role !== "reviewer" && p.role !== "assistant");
  people.sort(
    (a, b) =>
      (ROLE_ORDER[a.role] ?? 3) - (ROLE_ORDER[b.role] ?? 3) ||
      Number(state.removed.has(a.id)) - Number(state.removed.has(b.id)) ||
      String(a.name).localeCompare(String(b.name), state.lang),
  );
  ui.people.replaceChildren(...keepIdentity(ui.people, people.map(renderPerson), "data-participant"));
  syncListedSession();
  if (state.sessionId && people.length === 0) {
    ui.people.append(el("li", "muted-note", t("peopleEmpty")));
  }
  restoreFocus(ui.people, focusedKey);
  readersChanged();
}

function renderPerson(p) {
  const removed = state.removed.has(p.id) || p.removed === true;
  const isMe = Boolean(state.me && p.id === state.me.id);
  // This console's own presence is its connection; once the meeting ended nobody is in it.
  if (isMe) p = { ...p, online: state.phase === "live" };
  if (state.ended) p = { ...p, online: false };
  const item = el("li", `person${p.online && !removed ? " online" : ""}${removed ? " removed" : ""}`);
  item.dataset.participant = p.id;
  item.dataset.online = String(Boolean(p.online) && !removed);
  item.dataset.muted = String(Boolean(p.muted));
  const dot = el("span", "dot");
  dot.setAttribute("aria-hidden", "true");
  const who = el("span", "who", p.name || t("unknownName"));
  if (isMe) who.append(el("span", "you", ` (${t("you")})`));
  const meta = el("span", "meta");
  meta.append(badge(p.role));
  meta.append(el("span", `tag presence ${p.online && !removed ? "on" : "off"}`, t(p.online && !removed ? "online" : "offline")));
  if (p.language) {
    const lang = el("span", "tag", p.language);
    lang.title = languageName(p.language, state.lang);
    meta.append(lang);
  }
  if (p.muted && !removed) meta.append(el("span", "tag muted", t("muted")));
  if (removed) meta.append(el("span", "tag removed", t("removed")));
  // An investor's participant id is the id of the invite.
  const invite = p.role === "investor" && state.invites.find((i) => i.id === p.id);
  if (invite && (invite.state === "revoked" || invite.state === "expired") && !removed) {
    meta.append(el("span", "tag removed", t(invite.state === "revoked" ? "inviteRevokedTag" : "inviteExpiredTag")));
  }
  item.append(dot, who, meta);

  if (p.role === "investor" && !removed && !state.ended && state.role === "officer") {
    const personState = state.peopleUi.get(p.id) || {};
    const actions = el("div", "person-actions");
    if (personState.confirmRemove) {
      const box = el("div", "confirm-inline");
      box.setAttribute("role", "group");
      box.append(el("span", "", t("removeConfirm", { name: p.name || "" })));
      const yes = button(t("removeYes"), "button small danger-solid", () => moderate(p.id, "remove"));
      yes.dataset.action = "remove-confirm";
      yes.disabled = Boolean(personState.busy);
      const no = button(t("cancel"), "button secondary small", () => {
        personState.confirmRemove = false;
        state.peopleUi.set(p.id, personState);
        renderPeople();
        const again = ui.people.querySelector(`[data-participant="${CSS.escape(p.id)}"] [data-action="remove"]`);
        if (again) again.focus();
      });
      no.dataset.action = "remove-cancel";
      box.append(yes, no);
      actions.append(box);
    } else {
      const mute = button(t(p.muted ? "unmute" : "mute"), "button secondary small", () =>
        moderate(p.id, p.muted ? "unmute" : "mute"),
      );
      mute.dataset.action = p.muted ? "unmute" : "mute";
      mute.disabled = Boolean(personState.busy) || state.phase !== "live";
      const remove = button(t("remove"), "button secondary small danger", () => {
        personState.confirmRemove = true;
        personState.error = "";
        state.peopleUi.set(p.id, personState);
        renderPeople();
        const yes = ui.people.querySelector(`[data-participant="${CSS.escape(p.id)}"] [data-action="remove-confirm"]`);
        if (yes) yes.focus();
      });
      remove.dataset.action = "remove";
      remove.disabled = Boolean(personState.busy) || state.phase !== "live";
      actions.append(mute, remove);
    }
    item.append(actions);
    if (personState.error) {
      const error = el("p", "form-error", personState.error);
      error.setAttribute("role", "alert");
      item.append(error);
    }
  }
  return item;
}

/** Who waits in the lobby, with Admit and Decline for officers (names as text, never HTML). */
function renderLobby() {
  if (!ui.lobby) return;
  ui.lobbyBox.hidden = state.lobby.length === 0;
  ui.lobby.replaceChildren(
    ...state.lobby.map((w) => {
      const item = el("li", "person");
      item.dataset.invite = w.invite;
      const meta = el("span", "meta");
      if (w.organisation) meta.append(el("span", "tag", w.organisation));
      const lang = el("span", "tag", w.language || "");
      lang.title = languageName(w.language || "", state.lang);
      meta.append(lang);
      item.append(el("span", "who", w.name || t("unknownName")), meta);
      if (state.role === "officer") {
        for (const [type, label, aria] of [
          ["admit", "lobbyAdmit", "lobbyAdmitLabel"],
          ["decline", "lobbyDecline", "lobbyDeclineLabel"],
        ]) {
          const answer = el("button", type === "admit" ? "button small" : "button secondary small", t(label));
          answer.type = "button";
          answer.setAttribute("aria-label", t(aria, { name: w.name || "" }));
          answer.addEventListener("click", () => {
            answer.disabled = true;
            sendAction({ type, session: state.sessionId, invite: w.invite }, { kind: "person", ref: w.invite });
          });
          item.append(answer);
        }
      }
      return item;
    }),
  );
}

function moderate(target, action) {
  const personState = state.peopleUi.get(target) || {};
  if (sendAction({ type: "moderate", session: state.sessionId, action, target }, { kind: "person", ref: target })) {
    personState.busy = true;
    personState.error = "";
    if (action === "remove") personState.confirmRemove = false;
    state.peopleUi.set(target, personState);
    renderPeople();
  }
}

function badge(role) {
  const element = el("span", `badge ${["officer", "investor", "assistant"].includes(role) ? role : ""}`);
  element.textContent = t(`role_${role}`);
  return element;
}

/** A key for the focused control inside `root`, to put focus back after a re-render. */
function focusKey(root) {
  const active = document.activeElement;
  if (!active || !root.contains(active)) return null;
  const holder = active.closest("[data-participant],[data-invite],[data-seq],[data-result]");
  return {
    holder: holder ? holder.getAttribute("data-participant") || holder.getAttribute("data-invite") || holder.getAttribute("data-seq") || holder.getAttribute("data-result") : null,
    action: active.dataset.action || null,
  };
}

function restoreFocus(root, key) {
  if (!key) return;
  for (const holder of root.querySelectorAll("[data-participant],[data-invite],[data-seq],[data-result]")) {
    const id =
      holder.getAttribute("data-participant") || holder.getAttribute("data-invite") || holder.getAttribute("data-seq") || holder.getAttribute("data-result");
    if (id !== key.holder) continue;
    const target = (key.action && holder.querySelector(`[data-action="${key.action}"]`)) || holder.querySelector("button:not([disabled])");
    if (target) target.focus();
    return;
  }
}

// ---------------------------------------------------------------------------
// The conversation log

function renderEvent(event) {
  switch (event.kind) {
    case "message":
    case "question":
    case "answer":
    case "draft":
      return renderMessage(event);
    case "joined":
    case "left":
    case "moderation":
    case "ended":
      return renderSystem(event);
    case "status":
    case "rating":
      return null; // shown on its question and draft; a rating on its answer
    case "attachment":
      return renderAttachment(event);
    default:
      return typeof event.text === "string" ? renderMessage(event) : null;
  }
}

function nameOf(id) {
  if (!id) return t("unknownName");
  if (state.me && id === state.me.id) return state.me.name || t("you");
  const participant = state.participants.get(id);
  return (participant && participant.name) || id;
}

function renderMessage(event) {
  if (event.redacted) {
    // Rendered as an empty message whose body then says the text was removed.
    const item = renderMessage({ ...event, redacted: false, text: "", terms: [], translation: undefined, citations: undefined, contact: undefined });
    const body = item.querySelector(".msg-body");
    if (body) body.replaceChildren(redactedNote());
    return item;
  }
  const from = event.from || {};
  const mine = state.me && from.id === state.me.id;
  const item = el("li", `event ${event.kind}${from.role === "assistant" ? " assistant" : ""}${mine ? " mine" : ""}`);
  item.classList.add("msg");
  item.dataset.seq = String(event.seq);
  if (event.contact) item.classList.add("has-contact");

  const head = el("div", "msg-head");
  head.append(el("span", "msg-author", from.name || nameOf(from.id)), badge(from.role), timeElement(event.at));
  head.append(el("span", "seq", `#${event.seq}`));

  const body = el("div", "msg-body");
  let label = "";
  if (event.kind === "question") label = t("kindQuestion");
  else if (event.kind === "draft") label = state.draftOutcomes.has(event.seq) || state.ended ? t("kindDraftDecided") : t("kindDraft");
  else if (event.kind === "answer") label = t("kindAnswer");
  if (label) body.append(el("span", "kind-label", label));

  const main = el("div", "msg-text");
  if (event.language) main.lang = writtenLanguage(event.text, event.language);
  const marked = appendWithTerms(main, typeof event.text === "string" ? event.text : "", event.terms);
  body.append(main);
  const terms = termsDisclosure(marked, (count) => t("termsButton", { count }), event.language, state.lang);
  if (terms) body.append(terms);
  // Under the text: its language; an edited approval says who edited it.
  const provenance = el("p", "provenance");
  const source = el("span", "prov-source", t("provOriginal", { lang: languageName(event.language, state.lang) || "—" }));
  source.dataset.provenance = "original";
  provenance.append(source);
  if (event.kind === "answer" && event.edited) {
    const by = event.editedBy && typeof event.editedBy === "object" ? event.editedBy : null;
    provenance.append(el("span", "prov-edited", by ? t("editedBy", { name: by.name || nameOf(by.id) }) : t("editedNote")));
  }
  body.append(provenance);

  // The officer's language: the best translation there is (a person's, the phrasebook's, a machine's).
  const translation =
    event.language && primaryLanguage(event.language) !== primaryLanguage(state.lang) ? bestTranslation(event, state.lang) : null;
  if (translation && typeof translation.text === "string") {
    const box = el("div", "translation");
    const kind = provenanceKind(translation);
    box.dataset.provenance = kind;
    const lang = languageName(translation.language, state.lang);
    let labelText;
    if (kind === "human") {
      const by = translation.by && typeof translation.by === "object" ? translation.by : {};
      labelText = t("provHuman", { lang, name: by.name || nameOf(by.id) });
    } else if (kind === "phrasebook") {
      labelText = t("provPhrasebook", { lang });
    } else {
      labelText = t("provMachine", { lang, engine: translation.engine || "?" });
    }
    const note = el("span", "translation-label", labelText);
    note.lang = state.lang;
    const text = el("p", "translation-text", translation.text);
    text.lang = writtenLanguage(translation.text, translation.language);
    box.append(text, note);
    if (translation.glossaryOk === false) {
      const warn = el("span", "translation-warn", t("glossaryBroken"));
      warn.lang = state.lang;
      box.append(warn);
    }
    body.append(box);
  }

  if (Array.isArray(event.citations) && event.citations.length > 0) body.append(renderCitations(event.citations));
  if (event.contact && typeof event.contact === "object") {
    body.append(renderContact(event.contact, event.kind === "draft" && !state.draftOutcomes.has(event.seq)));
  }
  const pct = confidencePercent(event);
  if ((event.kind === "draft" || event.kind === "answer") && pct !== null) {
    const conf = el("span", "confidence", t("confidence", { pct }));
    if (pct < 50) {
      conf.classList.add("low");
      conf.append(` (${t("lowConfidence")})`);
    }
    body.append(conf);
  }
  if (Array.isArray(event.media) && event.media.length > 0) body.append(renderMediaList(event.media));
  for (const rating of state.ratings.get(event.seq) || []) body.append(renderRating(rating));
  if (event.kind === "question") {
    const q = el("span", "q-state");
    q.hidden = true;
    body.append(q);
  }
  item.append(head, body);
  if (event.kind === "question") updateQuestionStateIn(item, event.seq);
  if (event.kind === "draft") item.append(renderDraftControls(event));
  if (TRANSLATABLE.has(event.kind)) item.append(renderTranslateTools(event));
  if (event.kind === "question") {
    // Its drafts and answers are shown under it (`replyTo`).
    const replies = el("ol", "replies");
    replies.setAttribute("aria-label", t("replies"));
    item.append(replies);
  }
  return item;
}

/** The question an answer or draft replies to: `replyTo`, else (older events) `about`. */
/** An answer's confidence in per cent: `confidencePercent` (an integer), or the `confidence`
 * (0…1) of events stored before it; null when it has neither. */
function confidencePercent(event) {
  if (Number.isInteger(event.confidencePercent)) return event.confidencePercent;
  return typeof event.confidence === "number" ? Math.round(event.confidence * 100) : null;
}

function renderCitations(citations) {
  const box = el("div", "citations");
  box.append(el("h2", "box-title", t("sources")));
  const list = el("ol", "");
  citations.forEach((citation, index) => {
    if (!citation || typeof citation !== "object") return;
    const item = el("li", "");
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.append(el("span", "cite-num", `[${index + 1}]`), " ", el("span", "cite-title", citation.title || citation.document || ""));
    details.append(summary);
    if (citation.passage) details.append(el("blockquote", "passage", citation.passage));
    const meta = el("p", "cite-meta");
    meta.append(el("strong", "", citation.title || citation.document || ""));
    if (citation.document) meta.append(el("span", "doc-id", ` (${citation.document})`));
    details.append(meta);
    if (citation.source) {
      const source = el("p", "cite-source");
      source.append(el("span", "label", `${t("source")}: `));
      appendLinkified(source, String(citation.source));
      details.append(source);
    }
    item.append(details);
    list.append(item);
  });
  box.append(list);
  return box;
}

function renderContact(contact, proposed) {
  const box = el("div", "contact handover-card");
  box.setAttribute("role", "note");
  box.append(el("h2", "box-title", proposed ? t("contactProposed") : t("contactTitle")));
  box.append(el("p", "contact-name", [contact.name, contact.role, contact.organisation].filter(Boolean).join(" · ")));
  if (Array.isArray(contact.languages) && contact.languages.length > 0) {
    box.append(el("p", "contact-langs", t("contactLanguages", { list: contact.languages.map((code) => languageName(code, state.lang)).join(", ") })));
  }
  if (contact.reason) box.append(el("p", "contact-reason", contact.reason));
  return box;
}

function renderDraftControls(event) {
  const wrap = el("div", "draft-controls");
  const outcome = state.draftOutcomes.get(event.seq);
  if (outcome) {
    wrap.classList.add("decided");
    wrap.dataset.state = outcome.state;
    const by = outcome.by ? nameOf(outcome.by) : t("unknownName");
    let text;
    if (outcome.state === "rejected") text = outcome.reason ? t("rejectedReason", { name: by, reason: outcome.reason }) : t("rejectedBy", { name: by });
    else if (outcome.state === "handed_over") text = t("outcomeHandedOver", { name: by });
    else text = outcome.edited ? t("approvedEdited", { name: by }) : t("approvedBy", { name: by });
    wrap.append(el("p", "outcome", text));
    return wrap;
  }
  if (state.ended || state.role !== "officer") return wrap;
  const ds = state.draftUi.get(event.seq) || { editing: false, text: event.text || "", reason: "", busy: false, error: "" };
  state.draftUi.set(event.seq, ds);
  const idBase = `draft-${event.seq}`;

  if (ds.editing) {
    const field = el("div", "field");
    const label = el("label", "", t("editLabel"));
    label.htmlFor = `${idBase}-text`;
    const area = document.createElement("textarea");
    area.id = `${idBase}-text`;
    area.className = "draft-edit";
    area.rows = 5;
    area.value = ds.text;
    area.dataset.testid = "draft-edit";
    area.addEventListener("input", () => (ds.text = area.value));
    field.append(label, area);
    wrap.append(field);
  }

  const row = el("div", "actions-row");
  const approve = button(ds.editing ? t("approveEdited") : t("approve"), "button small", () => decideDraft(event, "approve"));
  approve.dataset.action = "approve";
  const edit = button(ds.editing ? t("cancelEdit") : t("edit"), "button secondary small", () => {
    ds.editing = !ds.editing;
    if (ds.editing && !ds.text) ds.text = event.text || "";
    rerenderEvent(event.seq);
    const element = state.elements.get(event.seq);
    const target = element && (ds.editing ? element.querySelector("textarea.draft-edit") : element.querySelector('[data-action="edit"]'));
    if (target) target.focus();
  });
  edit.dataset.action = "edit";
  edit.setAttribute("aria-expanded", String(ds.editing));
  const reject = confirmingButton(`reject:${event.seq}`, t("reject"), t("rejectConfirm"), "button secondary small danger", () =>
    decideDraft(event, "reject"),
  );
  reject.dataset.action = "reject";
  for (const b of [approve, edit, reject]) b.disabled = ds.busy || state.phase !== "live";
  row.append(approve, edit, reject);
  wrap.append(row);

  // The reason is asked for once Reject was pressed (its second press, or Enter, rejects).
  const reasonField = el("div", "field reason-field");
  reasonField.dataset.shownWhenArmed = `reject:${event.seq}`;
  reasonField.hidden = (armedUntil.get(`reject:${event.seq}`) || 0) <= Date.now() && !ds.reason;
  const reasonLabel = el("label", "", t("rejectReason"));
  reasonLabel.htmlFor = `${idBase}-reason`;
  const reasonInput = document.createElement("input");
  reasonInput.type = "text";
  reasonInput.id = `${idBase}-reason`;
  reasonInput.className = "draft-reason";
  reasonInput.maxLength = 1000;
  reasonInput.value = ds.reason;
  reasonInput.autocomplete = "off";
  reasonInput.addEventListener("input", () => {
    ds.reason = reasonInput.value;
    keepArmed(`reject:${event.seq}`);
  });
  reasonInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      decideDraft(event, "reject");
    }
  });
  reasonField.append(reasonLabel, reasonInput);
  wrap.append(reasonField);

  const status = el("p", ds.error ? "form-error" : "draft-status", ds.busy ? t("deciding") : ds.error || "");
  status.setAttribute("role", ds.error ? "alert" : "status");
  status.hidden = !ds.busy && !ds.error;
  wrap.append(status);
  return wrap;
}

function decideDraft(event, decision) {
  const ds = state.draftUi.get(event.seq);
  if (!ds || ds.busy || state.draftOutcomes.has(event.seq)) return;
  let frame;
  if (decision === "approve") {
    frame = { type: "approve", session: state.sessionId, draft: event.seq };
    if (ds.editing) {
      const text = ds.text.trim();
      if (!text) return;
      if (ds.text !== event.text) frame.text = ds.text;
    }
  } else {
    frame = { type: "reject", session: state.sessionId, draft: event.seq };
    const reason = ds.reason.trim();
    if (reason) frame.reason = reason;
  }
  if (sendAction(frame, { kind: "draft", ref: event.seq })) {
    ds.busy = true;
    ds.error = "";
    rerenderEvent(event.seq);
  }
}

function renderSystem(event) {
  const from = event.from || {};
  const item = el("li", `event sys ${event.kind}`);
  item.dataset.seq = String(event.seq);
  const by = from.name || nameOf(from.id);
  let text = "";
  switch (event.kind) {
    case "joined":
      text = t("sysJoined", { name: by });
      break;
    case "left":
      text = t("sysLeft", { name: by });
      break;
    case "ended":
      text = t("sysEnded", { by });
      break;
    case "moderation": {
      const target = event.targetName || nameOf(event.target);
      if (event.action === "mute") text = t("sysMuted", { by, name: target });
      else if (event.action === "unmute") text = t("sysUnmuted", { by, name: target });
      else if (event.action === "remove") text = t("sysRemoved", { by, name: target });
      else if (event.action === "assistant") text = t("sysAssistant", { by, mode: t(`modeOpt_${event.mode}`) });
      else text = `${by}: ${event.action}`;
      item.dataset.action = String(event.action || "");
      break;
    }
    default:
      return null;
  }
  item.append(el("span", "", text), timeElement(event.at));
  return item;
}

function rerenderEvent(seq) {
  const event = state.events.get(seq);
  const old = state.elements.get(seq);
  if (!event || !old) return;
  const fresh = renderEvent(event);
  if (!fresh) return;
  // Answers under a question stay as they are (they re-render on their own).
  const replies = old.querySelector(":scope > .replies");
  const freshReplies = fresh.querySelector(":scope > .replies");
  const focusInReplies = replies && replies.contains(document.activeElement) ? document.activeElement : null;
  if (old.classList.contains("reply")) fresh.classList.add("reply");
  if (replies && freshReplies) {
    replies.setAttribute("aria-label", t("replies"));
    replies.remove();
    fresh.replaceChild(replies, freshReplies);
  }
  if (focusInReplies) requestAnimationFrame(() => focusInReplies.focus({ preventScroll: true }));
  const key = focusKey(old);
  const hadFocus = old.contains(document.activeElement);
  const selfFocused = document.activeElement === old; // moved to by N or Show
  // Re-renders happen on their own (a translation arrives, the connection drops and comes
  // back): sources the officer opened stay open, and focus on a source, a term or a field
  // stays there — never moved to a button (Approve) that a key press would then trigger.
  const inner = (root) => [...root.querySelectorAll("summary, a[href], textarea, input")];
  const focusedIndex = inner(old).indexOf(document.activeElement);
  const focusedTag = focusedIndex >= 0 ? document.activeElement.tagName : "";
  const opened = [...old.querySelectorAll("details")].map((details) => details.open);
  // The element itself stays (its attributes and content are renewed), so references to
  // it — and its place in the log — survive.
  morph(old, fresh);
  old.querySelectorAll("details").forEach((details, index) => {
    if (opened[index]) details.open = true;
  });
  if (selfFocused) {
    old.tabIndex = -1;
    old.focus({ preventScroll: true });
    return;
  }
  if (hadFocus) {
    const same = focusedIndex >= 0 ? inner(old)[focusedIndex] : null;
    if (same && same.tagName === focusedTag) {
      same.focus({ preventScroll: true });
      return;
    }
    const active = key && key.action && old.querySelector(`[data-action="${key.action}"]:not([disabled])`);
    (active || (focusedIndex < 0 && old.querySelector("button:not([disabled]), textarea, input")) || ui.log).focus();
  }
}

/** Gives `old` the attributes and content of `fresh`; returns `old`. */
function morph(old, fresh) {
  for (const name of old.getAttributeNames()) if (!fresh.hasAttribute(name)) old.removeAttribute(name);
  for (const name of fresh.getAttributeNames()) old.setAttribute(name, fresh.getAttribute(name));
  old.replaceChildren(...fresh.childNodes);
  return old;
}

/** For a list about to replace `container`'s content: elements already on the page with the
 *  same `attr` value are kept (renewed from their fresh twins), so references to them
 *  survive a re-render. Only elements without listeners of their own, or whose listeners
 *  depend on that key alone, may be kept this way. */
function keepIdentity(container, freshNodes, attr) {
  const existing = new Map();
  for (const element of container.querySelectorAll(`[${attr}]`)) existing.set(element.getAttribute(attr), element);
  const swap = (fresh) => {
    const key = fresh.getAttribute(attr);
    const old = existing.get(key);
    if (!old || old.tagName !== fresh.tagName) return fresh;
    existing.delete(key);
    return morph(old, fresh);
  };
  return freshNodes.map((node) => {
    if (!(node instanceof Element)) return node;
    if (node.hasAttribute(attr)) return swap(node);
    for (const inner of [...node.querySelectorAll(`[${attr}]`)]) {
      const kept = swap(inner);
      if (kept !== inner) inner.replaceWith(kept);
    }
    return node;
  });
}

function insertInOrder(element, seq) {
  state.elements.set(seq, element);
  const event = state.events.get(seq);
  const question = event && state.elements.get(replyTarget(event));
  const list = (question && question.querySelector(":scope > .replies")) || ui.events;
  element.classList.toggle("reply", list !== ui.events);
  let after = list.lastElementChild;
  while (after && Number(after.dataset.seq) > seq) after = after.previousElementSibling;
  if (after) after.after(element);
  else list.prepend(element);
}

function updateQuestionState(about) {
  const element = state.elements.get(about);
  if (element) updateQuestionStateIn(element, about);
}

function updateQuestionStateIn(element, about) {
  const label = element.querySelector(".q-state");
  if (!label) return;
  const status = state.questionStates.get(about);
  let key = status ? `q_${status.state}` : "";
  if (!status && state.session && state.session.assistant === "off") key = "q_waiting";
  if (!key || !(key in STRINGS.en)) {
    label.hidden = true;
    return;
  }
  label.dataset.state = status ? status.state : "waiting";
  element.dataset.state = label.dataset.state;
  label.textContent = t(key);
  label.hidden = false;
}

let workTimer = 0;
/** Renders the queues and the title soon, once for many events. A timer, not an animation
 *  frame: the tab title must follow while the tab is in the background. */
function scheduleWork() {
  if (workTimer) return;
  workTimer = setTimeout(() => {
    workTimer = 0;
    renderHandovers();
  }, 0);
}

/** Drafts no officer has decided yet, newest first (none once the session ended). */
function waitingDrafts() {
  if (state.ended || state.role !== "officer") return [];
  return [...state.events.values()]
    .filter((event) => event.kind === "draft" && !state.draftOutcomes.has(event.seq))
    .sort((a, b) => b.seq - a.seq);
}

/** Answers that handed a question over to a desk and that nobody marked followed up, newest first. */
function waitingHandovers() {
  if (state.ended || state.role !== "officer") return [];
  return [...state.events.values()]
    .filter((event) => event.kind === "answer" && event.contact && !state.handled.has(event.seq))
    .sort((a, b) => b.seq - a.seq);
}

function handledKey() {
  return `ipa.handled.${state.sessionId}`;
}

function loadHandled() {
  state.handled = new Set();
  try {
    const list = JSON.parse(window.localStorage.getItem(handledKey()) || "[]");
    if (Array.isArray(list)) for (const seq of list) if (Number.isInteger(seq)) state.handled.add(seq);
  } catch {
    // Storage disabled or garbled: nothing is marked.
  }
}

function markHandled(seq) {
  state.handled.add(seq);
  try {
    window.localStorage.setItem(handledKey(), JSON.stringify([...state.handled]));
  } catch {
    // Storage disabled: marked for this page only.
  }
  renderHandovers(); // an item in focus gives it to the next one
}

/** Focuses an event's message in the log (from a queue or a shortcut). */
function showInLog(seq) {
  const target = state.elements.get(seq);
  if (!target) return;
  target.tabIndex = -1;
  target.scrollIntoView({ block: "nearest" });
  target.focus({ preventScroll: true });
}

/** "Waiting for you": drafts to approve and hand-overs to follow up, with their counts, and
 *  the tab title's count (these for an officer, the translations for an interpreter); each
 *  item is a keyboard stop. */
function renderHandovers() {
  if (!ui.workCard) return;
  // Officers' work: an interpreter has the translation queue (and `?` for the shortcuts).
  const open = Boolean(state.sessionId) && state.role === "officer";
  ui.workCard.hidden = !open;
  const drafts = open ? waitingDrafts() : [];
  const handovers = open ? waitingHandovers() : [];
  // Focus stays where it was: on an item (itself, or its button), else — the item done —
  // on the one that took its place, else on the card's heading.
  const active = document.activeElement;
  const item = ui.workCard.contains(active) ? active.closest(".work-item") : null;
  const items = [...ui.workCard.querySelectorAll(".work-item")];
  const place = item ? { seq: item.dataset.seq, index: items.indexOf(item), self: active === item, key: focusKey(ui.workCard) } : null;
  ui.draftsQueue.replaceChildren(...drafts.map(renderDraftItem));
  ui.handovers.replaceChildren(...handovers.map(renderHandoverItem));
  if (place) {
    const again = ui.workCard.querySelector(`.work-item[data-seq="${CSS.escape(place.seq)}"]`);
    if (again && place.self) again.focus({ preventScroll: true });
    else if (again) {
      restoreFocus(ui.workCard, place.key);
      if (!ui.workCard.contains(document.activeElement)) again.focus({ preventScroll: true });
    }
    else {
      const now = [...ui.workCard.querySelectorAll(".work-item")];
      (now[Math.min(place.index, now.length - 1)] || ui.workTitle).focus({ preventScroll: true });
    }
  }
  for (const [counter, list] of [[ui.draftsCount, drafts], [ui.handoversCount, handovers]]) {
    counter.textContent = String(list.length);
    counter.dataset.count = String(list.length);
  }
  ui.draftsNone.hidden = drafts.length > 0;
  ui.handoversEmpty.hidden = handovers.length > 0;
  const total = drafts.length + handovers.length;
  ui.workTotal.textContent = total ? String(total) : "";
  // An interpreter's work is the translation queue; an officer's, drafts and hand-overs
  // (without machine translation every message would wait, and the count would say nothing).
  // Counted here, on the timer, so a background tab's title follows.
  const waiting = state.role === "interpreter" ? translationsWaiting() : total;
  if (waiting !== state.waiting) {
    state.waiting = waiting;
    updateTitle();
  }
}

/** Texts waiting for a person's translation, summed over the reader languages (the
 *  translation queue's total). */
function translationsWaiting() {
  if (!state.sessionId || state.ended) return 0;
  const languages = readerLanguages();
  let count = 0;
  for (const event of state.events.values()) count += missingLanguages(event, languages).length;
  return count;
}

function excerpt(text, max = 160) {
  const value = String(text || "");
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function renderDraftItem(event) {
  const li = el("li", "work-item draft-item");
  li.dataset.seq = String(event.seq);
  li.dataset.kind = "draft";
  li.tabIndex = 0;
  const question = state.events.get(event.about);
  li.append(el("p", "work-meta", t("draftItem", { seq: event.seq, name: question ? nameOf((question.from || {}).id) : "—" })));
  if (question && question.text) {
    const q = el("p", "work-text", excerpt(question.text, 120));
    q.lang = writtenLanguage(question.text, question.language || "");
    li.append(q);
  }
  const row = el("div", "actions-row");
  const show = button(t("show"), "button secondary small", () => showInLog(event.seq));
  show.dataset.action = "show";
  const approve = button(t("approve"), "button small", () => decideDraft(event, "approve"));
  approve.dataset.action = "approve";
  approve.setAttribute("aria-keyshortcuts", "A");
  approve.disabled = state.phase !== "live" || Boolean((state.draftUi.get(event.seq) || {}).busy);
  row.append(show, approve);
  li.append(row);
  return li;
}

function renderHandoverItem(event) {
  const contact = event.contact;
  const li = el("li", "work-item handover-item");
  li.dataset.ref = String(event.seq);
  li.dataset.seq = String(event.seq);
  li.dataset.kind = "handover";
  li.tabIndex = 0;
  const question = state.events.get(event.about);
  if (question && question.text) {
    const q = el("p", "handover-q work-text", excerpt(question.text, 120));
    q.lang = writtenLanguage(question.text, question.language || "");
    li.append(q);
  }
  li.append(el("p", "handover-desk", [contact.name, contact.organisation].filter(Boolean).join(" · ")));
  if (contact.reason) li.append(el("p", "muted-note", contact.reason));
  const row = el("div", "actions-row");
  const show = button(t("show"), "button secondary small", () => showInLog(event.seq));
  show.dataset.action = "show";
  const done = button(t("handoverDone"), "button secondary small", () => markHandled(event.seq));
  done.dataset.action = "handled";
  done.setAttribute("aria-keyshortcuts", "D");
  row.append(show, done);
  li.append(row);
  return li;
}

// ---------------------------------------------------------------------------
// Keyboard shortcuts (docs/console.md; the list in the shortcuts dialog)

function isTyping(target) {
  return Boolean(target && target.closest && target.closest("input, textarea, select, [contenteditable='true'], dialog"));
}

/** The draft the shortcut acts on: the one in focus, in the log or in the queue. */
function focusedDraft() {
  const holder = document.activeElement && document.activeElement.closest("[data-seq]");
  const seq = holder ? Number(holder.dataset.seq) : NaN;
  const event = state.events.get(seq);
  return event && event.kind === "draft" && !state.draftOutcomes.has(seq) ? event : null;
}

/** Everything waiting in the order `N` visits it: drafts, hand-overs, then the texts waiting
 *  for a translation into any reader language; each newest first, each once. */
function waitingOrder() {
  const languages = readerLanguages();
  const translations = [...state.events.values()]
    .filter((event) => missingLanguages(event, languages).length > 0)
    .sort((a, b) => b.seq - a.seq);
  const order = [...waitingDrafts(), ...waitingHandovers(), ...translations].map((event) => event.seq);
  return [...new Set(order)];
}

function onShortcut(event) {
  if (event.isComposing || event.keyCode === 229) return; // an IME is composing (ja, ko, zh)
  if (event.key === "Escape" && disarmAll()) return;
  if (ui.viewConsole.hidden || !state.sessionId || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Escape" && event.target === ui.composerText) {
    ui.log.focus();
    return;
  }
  if (isTyping(event.target) || event.repeat) return;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const draft = focusedDraft();
  const act = (fn) => {
    event.preventDefault();
    fn();
  };
  switch (key) {
    case "?":
      return act(openShortcuts);
    case "n": {
      const order = waitingOrder();
      if (!order.length) return act(() => showStatus(t("nothingWaiting")));
      // After the item in focus, else after the last one visited (it may have gone: then
      // the first one after its place).
      const holder = document.activeElement && document.activeElement.closest("[data-seq]");
      const from = holder ? Number(holder.dataset.seq) : state.lastVisited;
      let at = order.indexOf(from);
      if (at < 0) {
        const after = from ? order.findIndex((seq) => seq < from) : -1;
        at = after > 0 ? after - 1 : -1;
      }
      const next = order[(at + 1) % order.length];
      state.lastVisited = next;
      return act(() => showInLog(next));
    }
    case "w":
      if (!ui.workCard.hidden) act(() => ui.workTitle.focus()); // officers' card
      return;
    case "t":
      return act(() => ui.mtOpenQueue.click());
    case "c":
      if (canWrite()) act(() => ui.composerText.focus());
      return;
    case "a":
      if (draft && state.role === "officer") act(() => decideDraft(draft, "approve"));
      return;
    case "r":
    case "e": {
      if (!draft || state.role !== "officer") return;
      const element = state.elements.get(draft.seq);
      const target = element && element.querySelector(`[data-action="${key === "r" ? "reject" : "edit"}"]`);
      if (target && !target.disabled) act(() => target.click());
      return;
    }
    case "d": {
      const holder = document.activeElement && document.activeElement.closest("[data-seq]");
      const seq = holder ? Number(holder.dataset.seq) : NaN;
      const answer = state.events.get(seq);
      if (answer && answer.kind === "answer" && answer.contact && !state.handled.has(seq)) act(() => markHandled(seq));
      return;
    }
    default:
  }
}

function openShortcuts() {
  if (!ui.shortcutsDialog.open) {
    state.shortcutsFrom = document.activeElement;
    ui.shortcutsDialog.showModal();
  }
  ui.shortcutsClose.focus();
}

function updateEmpty() {
  if (!ui.logEmpty) return;
  const count = ui.events.childElementCount + ui.outbox.childElementCount;
  ui.logEmpty.hidden = count > 0;
  ui.logEmpty.textContent = state.sessionId && !state.historyDone && count === 0 ? t("loadingHistory") : t("emptyLog");
}

function isNearBottom() {
  return follower.atEnd();
}

function scrollToBottom() {
  follower.scrollToEnd();
}

function canWrite() {
  return Boolean(state.sessionId) && !state.ended && state.role === "officer";
}

/** Officers and interpreters use the console; interpreters only read and translate. */
function consoleRole() {
  return state.role === "officer" || state.role === "interpreter";
}

/** Hides what an interpreter may not use (CSS: .role-interpreter .officer-only). */
function applyRole() {
  ui.viewConsole.classList.toggle("role-interpreter", state.role === "interpreter");
  ui.viewConsole.dataset.role = state.role || "";
  renderStaffLinks();
}

function submitComposer(kind) {
  const text = ui.composerText.value;
  if (!text.trim() || !canWrite()) return;
  ui.composerText.value = "";
  ui.composerText.style.height = ""; // back to one line where the script sized it
  queue({ kind, text });
  ui.composerText.focus();
}

/** Puts a say/ask in the outbox; `item` is what the console shows while it waits. */
function queue(item) {
  if (!client) return null;
  // Not connected or still catching up: the item waits, "sending…", and goes out once the
  // (next) join's history is complete.
  const frame = { type: item.kind, text: item.text };
  if (item.kind === "say" && item.phrase) {
    // A phrasebook phrase: the server stores it in the sender's language and gives every
    // reader the phrasebook's own wording.
    delete frame.text;
    frame.phrase = item.phrase;
  }
  if (item.kind === "say" && item.language) frame.language = item.language;
  if (item.kind === "say" && Array.isArray(item.citations)) frame.citations = item.citations;
  return client.submit(frame, item).clientId;
}

function renderOutbox() {
  ui.outbox.replaceChildren();
  for (const clientId of pendingItems().keys()) renderPending(clientId);
  updateEmpty();
}

function renderPending(clientId) {
  const item = pendingItems().get(clientId);
  if (!item) return;
  const element = ui.outbox.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
  const fresh = el("li", `msg mine pending ${item.kind}${item.status === "failed" ? " failed" : ""}`);
  fresh.dataset.clientId = clientId;
  const head = el("div", "msg-head");
  head.append(el("span", "msg-author", (state.me && state.me.name) || t("you")), badge("officer"));
  const body = el("div", "msg-body");
  if (item.kind === "ask") body.append(el("span", "kind-label", t("pendingAsk")));
  body.append(el("div", "msg-text", item.text));
  if (Array.isArray(item.citations) && item.citations.length) body.append(renderCitations(item.citations));
  const status = el(
    "div",
    "msg-status",
    item.status === "failed"
      ? item.code === "forbidden" && /muted/i.test(item.detail || "")
        ? t("errMutedSelf")
        : describeError(item.code, item.detail || "")
      : item.status === "sent"
        ? t("sent")
        : t("sending"),
  );
  if (item.status === "failed") status.setAttribute("role", "alert");
  fresh.append(head, body, status);
  if (item.status === "failed") {
    const actions = el("div", "msg-actions");
    if (canWrite()) {
      actions.append(button(t("retry"), "button small", () => client.retry(clientId))); // same clientId: never stored twice
    }
    actions.append(button(t("discard"), "button secondary small", () => client.discard(clientId)));
    fresh.append(actions);
  }
  const hadFocus = element && element.contains(document.activeElement);
  if (element) element.replaceWith(fresh);
  else ui.outbox.append(fresh);
  if (hadFocus) (fresh.querySelector("button") || ui.composerText).focus();
}

/** An item left the outbox (stored and shown in the log, or discarded). */
function removePendingElement(clientId) {
  const element = ui.outbox.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
  if (element) {
    const hadFocus = element.contains(document.activeElement);
    element.remove();
    if (hadFocus) ui.composerText.focus();
  }
  updateEmpty();
}

function renderComposerState() {
  if (!ui.composerText) return;
  const writable = canWrite();
  ui.composerText.disabled = !writable;
  ui.sendSay.disabled = !writable;
  ui.sendAsk.disabled = !writable;
  ui.attachButton.disabled = !writable;
  ui.composerNote.textContent = state.ended ? t("endedBanner") : "";
  ui.composer.hidden = state.ended;
}

// ---------------------------------------------------------------------------
// Human translation: the translate action, its editor, the per-language queue

/** A language's name inside a sentence: Vietnamese writes "tiếng Nhật" there. */
function inlineLanguageName(code) {
  const name = languageName(code, state.lang);
  return state.lang === "vi" && /^Tiếng /.test(name) ? `t${name.slice(1)}` : name;
}

/** The languages this session's people read (their `language`), within the session's
 *  languages; interpreters and reviewers translate or observe, they are not readers. */
function readerLanguages() {
  const allowed = state.session && Array.isArray(state.session.languages) ? state.session.languages.map(primaryLanguage) : [];
  const languages = new Set();
  for (const p of state.participants.values()) {
    if (!p || !p.language || p.role === "reviewer" || p.role === "assistant" || p.role === "interpreter") continue;
    if (state.removed.has(p.id) || p.removed === true) continue;
    const code = primaryLanguage(p.language);
    if (!allowed.length || allowed.includes(code)) languages.add(code);
  }
  return [...languages].sort();
}

function translateKey(seq, language) {
  return `${seq}|${primaryLanguage(language)}`;
}

/** The reader languages `event` still lacks a person's (or the phrasebook's) translation into. */
function missingLanguages(event, languages = readerLanguages()) {
  if (state.ended) return []; // nothing waits in a meeting that ended
  if (!event || !TRANSLATABLE.has(event.kind) || typeof event.text !== "string" || !event.text || !event.language) return [];
  if (event.kind === "draft" && (state.draftOutcomes.has(event.seq) || state.ended)) return [];
  const own = primaryLanguage(event.language);
  return languages.filter((code) => code !== own && translationRank(bestTranslation(event, code)) < 2);
}

function canTranslate() {
  return consoleRole() && state.phase === "live";
}

/** Under a text: a "Translate → language" button per reader language it lacks, and the
 *  editor of any being written. */
function renderTranslateTools(event) {
  const wrap = el("div", "translate-tools");
  wrap.dataset.tools = String(event.seq);
  const languages = readerLanguages();
  const missing = missingLanguages(event, languages);
  // Editors stay open until sent or cancelled, even when another person translated first.
  const editing = languages.filter((code) => state.translateUi.has(translateKey(event.seq, code)));
  const buttons = missing.filter((code) => !editing.includes(code));
  if (buttons.length && consoleRole()) {
    const row = el("div", "translate-row");
    for (const code of buttons) {
      const b = button(t("translateTo", { lang: inlineLanguageName(code) }), "button secondary small translate-button", () =>
        openTranslateEditor(event.seq, code),
      );
      b.dataset.action = `translate-${code}`;
      b.dataset.language = code;
      b.disabled = !canTranslate();
      row.append(b);
    }
    wrap.append(row);
  }
  for (const code of editing) wrap.append(renderTranslateEditor(event, code));
  return wrap;
}

function renderTranslateEditor(event, code) {
  const key = translateKey(event.seq, code);
  const editor = state.translateUi.get(key);
  const form = el("form", "translate-editor");
  form.noValidate = true;
  form.dataset.language = code;
  const id = `translate-${event.seq}-${code}`;
  const label = el("label", "", t("translateLabel", { lang: `${inlineLanguageName(code)} (${code})` }));
  label.htmlFor = id;
  const area = document.createElement("textarea");
  area.id = id;
  area.className = "translate-text";
  area.lang = code;
  area.rows = 3;
  area.maxLength = 8000;
  area.value = editor.text;
  area.dataset.action = `translate-text-${code}`;
  const hintId = `${id}-hint`;
  area.setAttribute("aria-describedby", hintId);
  area.addEventListener("input", () => {
    editor.text = area.value;
    editor.error = "";
  });
  area.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      sendTranslation(event.seq, code);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      closeTranslateEditor(event.seq, code);
    }
  });
  const hint = el("p", "hint", [editor.fromMachine ? t("translateFromMachine") : "", t("translateHint")].filter(Boolean).join(" "));
  hint.id = hintId;
  const row = el("div", "actions-row");
  const sendButton = button(editor.busy ? t("translateSending") : t("translateSend"), "button small", () => sendTranslation(event.seq, code));
  sendButton.dataset.action = `translate-send-${code}`;
  sendButton.disabled = editor.busy || !canTranslate();
  const cancel = button(t("cancel"), "button secondary small", () => closeTranslateEditor(event.seq, code));
  cancel.dataset.action = `translate-cancel-${code}`;
  row.append(sendButton, cancel);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    sendTranslation(event.seq, code);
  });
  form.append(label, area, hint, row);
  if (editor.error) {
    const error = el("p", "form-error", editor.error);
    error.setAttribute("role", "alert");
    form.append(error);
  }
  return form;
}

/** Opens the editor for `seq` into `code`, starting from the machine translation if any. */
function openTranslateEditor(seq, code) {
  const event = state.events.get(seq);
  if (!event || !consoleRole()) return;
  const key = translateKey(seq, code);
  if (!state.translateUi.has(key)) {
    const machine = (state.translations.get(seq) || new Map()).get(code);
    const fromMachine = Boolean(machine && translationRank(machine) === 1);
    state.translateUi.set(key, { text: fromMachine ? machine.text : "", fromMachine, busy: false, error: "" });
  }
  refreshTranslateTools(seq);
  const area = document.getElementById(`translate-${seq}-${code}`);
  if (area) {
    area.scrollIntoView({ block: "nearest" });
    area.focus();
  }
}

function closeTranslateEditor(seq, code) {
  state.translateUi.delete(translateKey(seq, code));
  refreshTranslateTools(seq);
  const element = state.elements.get(seq);
  const next = element && element.querySelector(`:scope > .translate-tools button[data-action="translate-${code}"]`);
  (next || ui.log).focus();
}

function sendTranslation(seq, code) {
  const key = translateKey(seq, code);
  const editor = state.translateUi.get(key);
  if (!editor || editor.busy) return;
  const text = editor.text.trim();
  if (!text) {
    editor.error = t("errTranslationEmpty");
    refreshTranslateTools(seq);
    return;
  }
  const frame = { type: "translate", session: state.sessionId, seq, language: code, text };
  if (sendAction(frame, { kind: "translate", ref: key })) {
    editor.busy = true;
    editor.error = "";
    refreshTranslateTools(seq);
  }
}

/** Renews the translate tools of one event, keeping focus in its editor. */
function refreshTranslateTools(seq) {
  const element = state.elements.get(seq);
  const event = state.events.get(seq);
  if (!element || !event) return;
  const old = element.querySelector(":scope > .translate-tools");
  if (!old) return;
  const active = document.activeElement;
  const focused = active && old.contains(active) ? active.dataset.action || active.id : null;
  const caret = active && active.tagName === "TEXTAREA" ? [active.selectionStart, active.selectionEnd] : null;
  const fresh = renderTranslateTools(event);
  old.replaceWith(fresh);
  if (focused) {
    const again = fresh.querySelector(`[data-action="${CSS.escape(focused)}"]`) || fresh.querySelector("textarea, button");
    if (again) {
      again.focus({ preventScroll: true });
      if (caret && again.tagName === "TEXTAREA") again.setSelectionRange(caret[0], caret[1]);
    } else {
      element.tabIndex = -1;
      element.focus({ preventScroll: true });
    }
  }
}

/** People came or went, or changed language: the translate buttons, queue and notice follow. */
let lastReaders = "";
function readersChanged() {
  const readers = readerLanguages().join(",");
  if (readers !== lastReaders) {
    lastReaders = readers;
    for (const [seq, event] of state.events) if (TRANSLATABLE.has(event.kind)) refreshTranslateTools(seq);
  }
  scheduleQueue();
  renderMtNotice();
}

let queueFrame = 0;
function scheduleQueue() {
  scheduleWork();
  if (queueFrame) return;
  queueFrame = requestAnimationFrame(() => {
    queueFrame = 0;
    renderQueue();
  });
}

/** The queue: per reader language, what still waits for a person's translation. */
function renderQueue() {
  if (!ui.queueCard) return;
  const open = Boolean(state.sessionId) && consoleRole();
  ui.queueCard.hidden = !open;
  if (!open) return;
  const own = primaryLanguage(state.lang);
  const languages = readerLanguages();
  const waiting = new Map(languages.map((code) => [code, []]));
  // Newest first, like the other queues.
  for (const [seq, event] of [...state.events].sort((a, b) => b[0] - a[0])) {
    for (const code of missingLanguages(event, languages)) waiting.get(code).push(seq);
  }
  // Tabs only for languages something is ever translated into (not the messages' only language).
  const tabs = languages.filter((code) => waiting.get(code).length > 0 || languages.length > 1);
  // Until the reader picks a tab, the queue shows a language where something waits.
  const idle = !state.queueChosen && !(waiting.get(state.queueLang) || []).length;
  if (!tabs.includes(state.queueLang) || idle) {
    state.queueLang = tabs.find((code) => code !== own && waiting.get(code).length) || tabs.find((code) => waiting.get(code).length) || tabs[0] || "";
  }
  const total = [...waiting.values()].reduce((sum, list) => sum + list.length, 0);
  ui.queueTotal.textContent = total ? String(total) : "";
  ui.queueEmpty.textContent = t("queueNoReaders");
  ui.queueEmpty.hidden = tabs.length > 0;
  ui.queuePanel.hidden = tabs.length === 0;
  const focusedTab = ui.queueTabs.contains(document.activeElement);
  ui.queueTabs.replaceChildren(
    ...tabs.map((code) => {
      const tab = el("button", "queue-tab");
      tab.type = "button";
      tab.id = `queue-tab-${code}`;
      tab.setAttribute("role", "tab");
      tab.dataset.language = code;
      const selected = code === state.queueLang;
      tab.setAttribute("aria-selected", String(selected));
      tab.setAttribute("aria-controls", "queue-panel");
      tab.tabIndex = selected ? 0 : -1;
      tab.append(el("span", "", t("queueTab", { lang: languageName(code, state.lang) })));
      const count = el("span", "count", String(waiting.get(code).length));
      count.dataset.count = String(waiting.get(code).length);
      tab.append(" ", count);
      tab.addEventListener("click", () => selectQueueTab(code));
      return tab;
    }),
  );
  if (focusedTab) {
    const again = ui.queueTabs.querySelector('[aria-selected="true"]');
    if (again) again.focus();
  }
  ui.queuePanel.setAttribute("aria-labelledby", state.queueLang ? `queue-tab-${state.queueLang}` : "queue-title");
  ui.queuePanel.dataset.language = state.queueLang;
  const list = state.queueLang ? waiting.get(state.queueLang) || [] : [];
  ui.queueNone.hidden = list.length > 0 || !state.queueLang;
  ui.queueNone.textContent = state.queueLang ? t("queueNone", { lang: inlineLanguageName(state.queueLang) }) : "";
  const focused = focusKey(ui.queueList);
  ui.queueList.replaceChildren(
    ...list.map((seq) => {
      const event = state.events.get(seq);
      const li = el("li", "queue-item");
      li.dataset.seq = String(seq);
      const from = event.from || {};
      li.append(el("p", "queue-meta", t("queueItem", { seq, name: from.name || nameOf(from.id) })));
      const quoted = el("p", "queue-text", excerpt(event.text));
      quoted.lang = writtenLanguage(event.text, event.language);
      li.append(quoted);
      const machine = (state.translations.get(seq) || new Map()).get(state.queueLang);
      if (machine) li.append(el("span", "tag", machine.glossaryOk === false ? t("queueGlossary") : t("queueMachineOnly")));
      const go = button(t("queueOpen"), "button secondary small", () => openTranslateEditor(seq, state.queueLang));
      go.dataset.action = "queue-translate";
      go.disabled = !canTranslate();
      li.append(go);
      return li;
    }),
  );
  restoreFocus(ui.queueList, focused);
}

function selectQueueTab(code) {
  state.queueLang = code;
  state.queueChosen = true;
  renderQueue();
  const tab = document.getElementById(`queue-tab-${code}`);
  if (tab) tab.focus();
}

/** Tabs: arrows, Home and End move between languages. */
function onQueueTabKey(event) {
  const tabs = [...ui.queueTabs.querySelectorAll('[role="tab"]')];
  const index = tabs.findIndex((tab) => tab.dataset.language === state.queueLang);
  let next = -1;
  if (event.key === "ArrowRight" || event.key === "ArrowDown") next = (index + 1) % tabs.length;
  else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = (index - 1 + tabs.length) % tabs.length;
  else if (event.key === "Home") next = 0;
  else if (event.key === "End") next = tabs.length - 1;
  if (next < 0 || !tabs.length) return;
  event.preventDefault();
  selectQueueTab(tabs[next].dataset.language);
}

/** When nothing translates (no provider) and some people read another language than this
 *  console's: say so, and point to the phrasebook and to translating by hand. */
function renderMtNotice() {
  if (!ui.mtNotice) return;
  const own = primaryLanguage(state.lang);
  const others = readerLanguages().filter((code) => code !== own);
  const show = Boolean(state.sessionId) && state.machineEngine === null && others.length > 0 && consoleRole() && !state.ended;
  const dismissed = state.mtDismissed !== "" && others.every((code) => state.mtDismissed.split(",").includes(code));
  ui.mtNotice.hidden = !show || dismissed;
  if (!show || dismissed) return;
  const languages = others.map(inlineLanguageName).join(", ");
  const text = `${t("mtNotice", { languages })} ${t(state.role === "officer" ? "mtNoticeOfficer" : "mtNoticeInterpreter")}`;
  if (ui.mtNoticeText.textContent !== text) ui.mtNoticeText.textContent = text;
  ui.mtNoticeText.title = text; // cut to two lines on screen
  ui.mtNotice.dataset.languages = others.join(",");
}

// ---------------------------------------------------------------------------
// The phrasebook picker

async function loadPhrases() {
  const id = state.sessionId;
  const agent = state.session && state.session.agent ? state.session.agent : "";
  if (state.phrases && state.phrases.agent === agent && !state.phrases.error) return;
  state.phrases = { agent, list: null, error: "" };
  try {
    const data = await api("GET", `/v1/phrases${agent ? `?agent=${encodeURIComponent(agent)}` : ""}`);
    if (state.sessionId !== id) return;
    state.phrases = { agent, list: Array.isArray(data && data.phrases) ? data.phrases : [], error: "" };
  } catch (error) {
    if (state.sessionId !== id) return;
    state.phrases = { agent, list: null, error: errorText(error) };
  }
  if (ui.phraseDialog.open) renderPhrases();
}

function openPhrasePicker() {
  if (!canWrite()) return;
  if (!state.phrases || state.phrases.error) loadPhrases();
  state.phraseQuery = "";
  state.phraseActive = 0;
  ui.phraseSearch.value = "";
  renderPhrases();
  if (!ui.phraseDialog.open) ui.phraseDialog.showModal();
  ui.phraseSearch.focus();
}

function closePhrasePicker() {
  if (ui.phraseDialog.open) ui.phraseDialog.close();
}

/** A phrase's text in `language`: that column, else the same primary language. */
function phraseText(phrase, language) {
  const texts = phrase && phrase.texts && typeof phrase.texts === "object" ? phrase.texts : {};
  const code = Object.keys(texts).find((key) => primaryLanguage(key) === primaryLanguage(language));
  return code ? texts[code] : "";
}

/** Phrases matching the query: every word of it in some language's text or the id,
 *  whatever the case and diacritics. */
function matchingPhrases() {
  const list = (state.phrases && state.phrases.list) || [];
  const words = fold(state.phraseQuery).split(/\s+/).filter(Boolean);
  if (!words.length) return list;
  return list.filter((phrase) => {
    const texts = phrase.texts && typeof phrase.texts === "object" ? Object.values(phrase.texts) : [];
    const haystack = fold([phrase.id, String(phrase.id || "").replace(/-/g, " "), ...texts].join("\n"));
    return words.every((word) => haystack.includes(word));
  });
}

/** The languages of the investors present, other than the officer's: shown under each phrase. */
function investorLanguages() {
  const own = primaryLanguage(state.lang);
  const languages = new Set();
  for (const p of state.participants.values()) {
    if (p.role !== "investor" || !p.language || state.removed.has(p.id)) continue;
    const code = primaryLanguage(p.language);
    if (code !== own) languages.add(code);
  }
  return [...languages];
}

function renderPhrases() {
  const phrases = state.phrases;
  const list = matchingPhrases();
  if (state.phraseActive >= list.length) state.phraseActive = Math.max(0, list.length - 1);
  let status = "";
  if (!phrases || (!phrases.list && !phrases.error)) status = t("phrasesLoading");
  else if (phrases.error) status = t("phrasesFailed", { detail: phrases.error });
  else if (!phrases.list.length) status = t("phrasesNone");
  else if (!list.length) status = t("phrasesNoMatch", { q: state.phraseQuery.trim() });
  else status = t("phrasesCount", { n: list.length });
  ui.phraseStatus.textContent = status;
  const others = investorLanguages();
  ui.phraseList.replaceChildren(
    ...list.map((phrase, index) => {
      const option = el("li", "phrase-option");
      option.id = `phrase-opt-${index}`;
      option.setAttribute("role", "option");
      option.dataset.phrase = String(phrase.id);
      const active = index === state.phraseActive;
      option.setAttribute("aria-selected", String(active));
      const main = el("span", "phrase-main", phraseText(phrase, state.lang) || Object.values(phrase.texts || {})[0] || phrase.id);
      main.lang = phraseText(phrase, state.lang) ? state.lang : "";
      option.append(main);
      for (const code of others) {
        const text = phraseText(phrase, code);
        if (!text) continue;
        const line = el("span", "phrase-other");
        line.append(el("span", "phrase-lang", code.toUpperCase()), " ");
        const words = el("span", "", text);
        words.lang = code;
        line.append(words);
        option.append(line);
      }
      option.append(el("span", "phrase-id", phrase.id));
      option.addEventListener("mousemove", () => {
        if (state.phraseActive !== index) {
          state.phraseActive = index;
          markActivePhrase();
        }
      });
      option.addEventListener("click", () => sendPhrase(phrase));
      return option;
    }),
  );
  markActivePhrase();
}

function markActivePhrase() {
  const options = [...ui.phraseList.querySelectorAll('[role="option"]')];
  options.forEach((option, index) => option.setAttribute("aria-selected", String(index === state.phraseActive)));
  const active = options[state.phraseActive];
  if (active) {
    ui.phraseSearch.setAttribute("aria-activedescendant", active.id);
    active.scrollIntoView({ block: "nearest" });
  } else {
    ui.phraseSearch.removeAttribute("aria-activedescendant");
  }
}

function onPhraseKey(event) {
  const count = ui.phraseList.querySelectorAll('[role="option"]').length;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    if (!count) return;
    state.phraseActive = (state.phraseActive + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
    markActivePhrase();
  } else if (event.key === "Home" && event.ctrlKey) {
    event.preventDefault();
    state.phraseActive = 0;
    markActivePhrase();
  } else if (event.key === "End" && event.ctrlKey) {
    event.preventDefault();
    state.phraseActive = Math.max(0, count - 1);
    markActivePhrase();
  } else if (event.key === "Enter") {
    event.preventDefault();
    if (event.isComposing || event.keyCode === 229) return;
    const phrase = matchingPhrases()[state.phraseActive];
    if (phrase) sendPhrase(phrase);
  } else if (event.key === "Escape") {
    // A search field would take the first Escape to clear itself: close at once.
    event.preventDefault();
    closePhrasePicker();
  }
}

function sendPhrase(phrase) {
  if (!canWrite()) return;
  const text = phraseText(phrase, state.lang) || Object.values(phrase.texts || {})[0] || phrase.id;
  closePhrasePicker();
  queue({ kind: "say", phrase: String(phrase.id), text });
}

// ---------------------------------------------------------------------------
// Invites

async function loadInvites() {
  const id = state.sessionId;
  if (!id || state.role !== "officer") return; // invites are the officers' (interpreters get 403)
  try {
    const data = await api("GET", `/v1/sessions/${encodeURIComponent(id)}/invites`);
    if (state.sessionId !== id) return;
    state.invites = Array.isArray(data && data.invites) ? data.invites : [];
    showFormError(ui.invitesError, "");
    renderPeople();
  } catch (error) {
    if (state.sessionId !== id) return;
    showFormError(ui.invitesError, errorText(error));
  }
  renderInvites();
}

function renderInviteLanguages() {
  if (!ui.inviteLanguage) return;
  const languages = state.session && Array.isArray(state.session.languages) && state.session.languages.length
    ? state.session.languages
    : SESSION_LANGUAGES;
  const current = ui.inviteLanguage.value;
  ui.inviteLanguage.replaceChildren(
    ...languages.map((code) => {
      const option = document.createElement("option");
      option.value = code;
      option.textContent = `${languageName(code, state.lang)} (${code})`;
      return option;
    }),
  );
  if (languages.includes(current)) ui.inviteLanguage.value = current;
  else if (languages.includes("en")) ui.inviteLanguage.value = "en";
}

function renderInvites() {
  if (!ui.invites) return;
  const open = Boolean(state.sessionId);
  ui.invitesNone.hidden = open && !state.ended;
  ui.invitesNone.textContent = open && state.ended ? t("invitesEnded") : t("invitesNoSession");
  if (open && state.ended) ui.invitesNone.hidden = false;
  ui.inviteForm.hidden = !open || state.ended;
  ui.invitesRefresh.hidden = !open;
  const focused = focusKey(ui.invites);
  const order = { active: 0, expired: 1, revoked: 2, removed: 3 };
  const list = [...state.invites].sort(
    (a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3) || String(b.createdAt).localeCompare(String(a.createdAt)),
  );
  const fresh = list.map((invite) => {
      const li = el("li", `invite ${invite.state || ""}`);
      li.dataset.invite = invite.id;
      li.dataset.state = invite.state || "";
      const head = el("div", "invite-head");
      head.append(el("span", "invite-name", invite.name || invite.id));
      // The participant id of an investor is the invite's id; removal ends the invite too
      // (the list still says "active" for it).
      const removed = state.removed.has(invite.id) || invite.state === "removed";
      if (removed) {
        li.dataset.removed = "true";
        head.append(el("span", "tag invite-state revoked", t("removed")));
      } else {
        head.append(el("span", `tag invite-state ${invite.state || ""}`, t(`inviteState_${invite.state}`)));
      }
      li.append(head);
      const parts = [`${languageName(invite.language, state.lang)} (${invite.language})`];
      if (invite.organisation) parts.push(invite.organisation);
      if (invite.state === "revoked" && invite.revokedAt) parts.push(t("inviteRevokedAt", { date: formatDate(invite.revokedAt) }));
      else if (invite.state === "expired") parts.push(t("inviteExpired", { date: formatDate(invite.expiresAt) }));
      else parts.push(t("inviteExpires", { date: formatDate(invite.expiresAt) }));
      li.append(el("p", "invite-meta", parts.join(" · ")));
      if (invite.state === "active" && !removed && !state.ended) {
        const revoke = confirmingButton(
          `revoke:${invite.id}`,
          t("revoke"),
          t("revokeConfirm", { name: invite.name || "" }),
          "button secondary small danger",
          () => revokeInvite(invite, revoke),
        );
        revoke.dataset.action = "revoke";
        li.append(revoke);
      }
      return li;
  });
  ui.invites.replaceChildren(...keepIdentity(ui.invites, fresh, "data-invite"));
  if (open && list.length === 0) ui.invites.append(el("li", "muted-note", t("invitesEmpty")));
  restoreFocus(ui.invites, focused);
}

async function createInvite() {
  showFormError(ui.inviteError, "");
  const id = state.sessionId;
  if (!id || state.ended) return;
  const name = ui.inviteName.value.trim();
  if (!name) {
    showFormError(ui.inviteError, t("errInviteName"));
    ui.inviteName.focus();
    return;
  }
  const body = { name, language: ui.inviteLanguage.value };
  const org = ui.inviteOrg.value.trim();
  if (org) body.organisation = org;
  const daysText = ui.inviteDays.value.trim();
  if (daysText) {
    const days = Number(daysText);
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      showFormError(ui.inviteError, t("errInviteDays"));
      ui.inviteDays.focus();
      return;
    }
    body.expiresIn = days * 86400;
  }
  ui.createInvite.disabled = true;
  try {
    const invite = await api("POST", `/v1/sessions/${encodeURIComponent(id)}/invites`, body);
    if (state.sessionId !== id) return;
    state.newInvite = { name, language: body.language, joinUrl: invite.joinUrl || "" };
    ui.inviteName.value = "";
    ui.inviteOrg.value = "";
    ui.inviteDays.value = "";
    renderNewInvite();
    ui.inviteLink.focus();
    ui.inviteLink.select();
    loadInvites();
  } catch (error) {
    showFormError(ui.inviteError, errorText(error));
    if (error.status === 409) markEnded();
  } finally {
    ui.createInvite.disabled = false;
  }
}

function renderNewInvite() {
  if (!ui.inviteResult) return;
  const invite = state.newInvite;
  ui.inviteResult.hidden = !invite;
  ui.inviteLink.value = invite ? invite.joinUrl : "";
  ui.inviteResultTitle.textContent = invite ? t("inviteFor", { name: invite.name, lang: languageName(invite.language, state.lang) }) : "";
  if (!invite) ui.inviteCopyStatus.textContent = "";
}

async function copyInvite() {
  const text = ui.inviteLink.value;
  if (!text) return;
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = false;
    }
  }
  if (!copied) {
    // Fallback: select the text so the officer can copy it by hand.
    ui.inviteLink.focus();
    ui.inviteLink.select();
    try {
      copied = document.execCommand && document.execCommand("copy");
    } catch {
      copied = false;
    }
  }
  ui.inviteCopyStatus.textContent = copied ? t("copied") : t("copySelected");
  ui.inviteResult.dataset.copied = String(Boolean(copied));
}

async function revokeInvite(invite, trigger) {
  const id = state.sessionId;
  if (!id) return;
  if (trigger) trigger.disabled = true;
  try {
    await api("DELETE", `/v1/sessions/${encodeURIComponent(id)}/invites/${encodeURIComponent(invite.id)}`);
    showStatus(t("revoked", { name: invite.name }));
  } catch (error) {
    showFormError(ui.invitesError, errorText(error));
  }
  await loadInvites();
  const heading = document.getElementById("invites-title");
  if (!ui.invites.contains(document.activeElement) && heading) {
    const first = ui.invites.querySelector('[data-action="revoke"]');
    (first || ui.inviteName).focus();
  }
}

// ---------------------------------------------------------------------------
// Document search

async function runSearch(again) {
  const q = (again || ui.searchInput.value).trim();
  if (!q) {
    ui.searchInput.focus();
    return;
  }
  const params = new URLSearchParams({ q, lang: state.lang, k: "5" });
  if (state.session && state.session.agent) params.set("agent", state.session.agent);
  const ticket = {};
  state.searchTicket = ticket;
  ui.searchStatus.textContent = t("searching");
  ui.searchGo.disabled = true;
  try {
    const data = await api("GET", `/v1/search?${params}`);
    if (state.searchTicket !== ticket) return;
    const results = Array.isArray(data && data.results) ? data.results : [];
    // The same search again (another language, a refresh): a preview being edited stays
    // open on its passage, with the officer's words.
    const shared = state.share ? state.searchResults[state.share.index] : null;
    const again = shared ? results.findIndex((r) => r.document === shared.document && r.passage === shared.passage) : -1;
    state.share = again >= 0 ? { ...state.share, index: again } : null;
    state.searchResults = results;
    state.searchInfo = { q, error: "" };
  } catch (error) {
    if (state.searchTicket !== ticket) return;
    state.searchResults = [];
    state.searchInfo = { q, error: errorText(error) };
  } finally {
    if (state.searchTicket === ticket) ui.searchGo.disabled = false;
  }
  renderSearch();
}

function renderSearch() {
  if (!ui.searchResults) return;
  const info = state.searchInfo;
  if (!info) ui.searchStatus.textContent = "";
  else if (info.error) ui.searchStatus.textContent = info.error;
  else ui.searchStatus.textContent = state.searchResults.length ? t("searchCount", { n: state.searchResults.length }) : t("searchNone");
  ui.searchStatus.classList.toggle("form-error", Boolean(info && info.error));
  const canShare = canWrite() && state.phase !== "idle";
  // A preview being edited keeps its focus and selection across a re-render.
  const editing = document.activeElement && document.activeElement.matches("textarea.share-text") ? document.activeElement : null;
  const selection = editing ? [editing.selectionStart, editing.selectionEnd] : null;
  ui.searchResults.replaceChildren(
    ...state.searchResults.map((result, index) => {
      const li = el("li", "result");
      li.dataset.result = String(index);
      if (result.document) li.dataset.document = result.document;
      const title = el("h3", "result-title", result.title || result.document || "");
      li.append(title);
      const meta = [languageName(result.language, state.lang)];
      if (result.heading) meta.push(result.heading);
      if (result.date) meta.push(result.date);
      if (typeof result.score === "number") meta.push(t("score", { score: result.score.toFixed(2) }));
      li.append(el("p", "result-meta", meta.filter(Boolean).join(" · ")));
      const passage = el("blockquote", "passage", result.passage || "");
      passage.tabIndex = 0; // it scrolls when long: the keyboard must reach it
      if (result.language) passage.lang = result.language;
      li.append(passage);
      if (Array.isArray(result.media) && result.media.length > 0) li.append(renderMediaList(result.media));
      if (result.source) {
        const source = el("p", "cite-source");
        source.append(el("span", "label", `${t("source")}: `));
        appendLinkified(source, String(result.source));
        li.append(source);
      }
      if (state.share && state.share.index === index && canShare) {
        li.append(renderSharePreview(result));
        return li;
      }
      const share = button(t("share"), "button secondary small", () => openSharePreview(index, result));
      share.dataset.action = "share";
      share.disabled = !canShare;
      if (!canShare) share.title = t("shareNeedsSession");
      li.append(share);
      return li;
    }),
  );
  if (editing) {
    const area = ui.searchResults.querySelector("textarea.share-text");
    if (area) {
      area.focus({ preventScroll: true });
      area.setSelectionRange(selection[0], selection[1]);
    }
  }
}

/** The passage as first offered for sharing: whole, or cut at a sentence near the limit. */
function shareDraft(result) {
  const passage = String(result.passage || "").trim();
  let text = passage;
  if (text.length > SHARE_MAX_CHARS) {
    const cut = text.slice(0, SHARE_MAX_CHARS);
    const stop = Math.max(cut.lastIndexOf(". "), cut.lastIndexOf("。"));
    text = `${stop > SHARE_MAX_CHARS / 2 ? cut.slice(0, stop + 1) : cut}…`;
  }
  return text || result.title || "";
}

/** "Share in conversation" first shows what investors will read, editable, with the
 *  citation they will see (the document's title and source, never a file name). */
function openSharePreview(index, result) {
  if (!canWrite()) {
    showStatus(t("shareNeedsSession"), "error");
    return;
  }
  state.share = { index, text: shareDraft(result) };
  renderSearch();
  const area = ui.searchResults.querySelector("textarea.share-text");
  if (area) area.focus();
}

function closeSharePreview(focusShare = true) {
  const index = state.share ? state.share.index : -1;
  state.share = null;
  renderSearch();
  const again = ui.searchResults.querySelector(`[data-result="${index}"] [data-action="share"]`);
  if (focusShare && again) again.focus();
}

function renderSharePreview(result) {
  const box = el("div", "share-preview");
  const id = `share-text-${state.share.index}`;
  const label = el("label", "", t("sharePreviewLabel"));
  label.htmlFor = id;
  const area = document.createElement("textarea");
  area.id = id;
  area.className = "share-text";
  area.rows = 5;
  area.maxLength = 8000;
  area.value = state.share.text;
  if (result.language) area.lang = result.language;
  area.addEventListener("input", () => (state.share.text = area.value));
  area.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      closeSharePreview();
    }
  });
  const cites = el("p", "share-cites", t("shareCites", { title: result.title || "—", source: result.source || "—" }));
  cites.id = `${id}-cites`;
  area.setAttribute("aria-describedby", cites.id);
  const row = el("div", "actions-row");
  const post = button(t("sharePost"), "button small", () => postShare(result));
  post.dataset.action = "share-post";
  const cancel = button(t("cancel"), "button secondary small", () => closeSharePreview());
  cancel.dataset.action = "share-cancel";
  row.append(post, cancel);
  box.append(label, area, cites, row);
  return box;
}

function postShare(result) {
  if (!canWrite() || !state.share) return;
  const text = state.share.text.trim();
  if (!text) {
    showStatus(t("shareEmpty"), "error");
    return;
  }
  const citation = {
    document: String(result.document || ""),
    title: String(result.title || ""),
    passage: String(result.passage || "").trim(),
    source: String(result.source || ""),
  };
  queue({ kind: "say", text, language: result.language || undefined, citations: [citation] });
  closeSharePreview(false);
  ui.composerText.focus();
}

// ---------------------------------------------------------------------------
// Knowledge gaps

async function loadGaps() {
  if (state.role !== "officer") return;
  const params = new URLSearchParams();
  if (state.session && state.session.agent) params.set("agent", state.session.agent);
  const query = params.toString();
  ui.gapsRefresh.disabled = true;
  try {
    const data = await api("GET", `/v1/gaps${query ? `?${query}` : ""}`);
    state.gaps = Array.isArray(data && data.gaps) ? data.gaps : [];
    showFormError(ui.gapsError, "");
  } catch (error) {
    showFormError(ui.gapsError, errorText(error));
  } finally {
    ui.gapsRefresh.disabled = false;
  }
  renderGaps();
}

function renderGaps() {
  if (!ui.gaps) return;
  ui.gapsEmpty.hidden = state.gaps.length > 0 || !state.role;
  ui.gaps.replaceChildren(
    ...state.gaps.map((gap) => {
      const li = el("li", `gap ${gap.reason || ""}`);
      li.dataset.gapSession = gap.session || "";
      li.dataset.gapSeq = String(gap.seq ?? "");
      const q = el("p", "gap-question", gap.question || "");
      if (gap.language) q.lang = gap.language;
      li.append(q);
      const meta = [t(`gap_${gap.reason}`)];
      if (typeof gap.confidence === "number") meta.push(t("confidence", { pct: Math.round(gap.confidence * 100) }));
      if (gap.desk) meta.push(t("gapDesk", { desk: gap.desk }));
      if (gap.language) meta.push(languageName(gap.language, state.lang));
      if (gap.at) meta.push(formatDate(gap.at));
      li.append(el("p", "gap-meta", meta.join(" · ")));
      const session = state.sessions.find((s) => s.id === gap.session);
      if (session) {
        const line = el("p", "gap-session", session.title);
        if (gap.session !== state.sessionId) {
          const open = button(t("gapOpen"), "button secondary small", () => openSession(gap.session));
          open.dataset.action = "open";
          line.append(" ", open);
        }
        li.append(line);
      }
      return li;
    }),
  );
}


// ---------------------------------------------------------------------------
// The calendar (officers): the create form's time, the week, meeting requests, the outbox.

const calendar = { weekStart: startOfWeek(new Date()), requests: [], outbox: [], phrases: [] };

/** Monday 00:00 (local) of the week holding `date`. */
function startOfWeek(date) {
  const day = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  day.setDate(day.getDate() - ((day.getDay() + 6) % 7));
  return day;
}

function startCalendar() {
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone || "Asia/Ho_Chi_Minh";
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [here];
  for (const zone of ["Asia/Ho_Chi_Minh", here]) if (!zones.includes(zone)) zones.unshift(zone);
  ui.sessionZone.replaceChildren(
    ...zones.map((zone) => {
      const option = el("option", "", zone);
      option.value = zone;
      option.selected = zone === "Asia/Ho_Chi_Minh";
      return option;
    }),
  );
  ui.sessionScheduled.addEventListener("change", () => {
    ui.scheduleFields.hidden = !ui.sessionScheduled.checked;
  });
  ui.weekPrev.addEventListener("click", () => moveWeek(-7));
  ui.weekNext.addEventListener("click", () => moveWeek(7));
  ui.requestsRefresh.addEventListener("click", () => loadRequests());
  ui.outboxRefresh.addEventListener("click", () => loadOutbox());
}

function moveWeek(days) {
  calendar.weekStart = new Date(calendar.weekStart.getFullYear(), calendar.weekStart.getMonth(), calendar.weekStart.getDate() + days);
  loadWeek();
}

/** What only officers see: loaded after sign-in and on refresh. */
function loadCalendar() {
  if (state.role !== "officer") return;
  loadWeek();
  loadRequests();
  loadOutbox();
}

async function loadWeek() {
  const from = calendar.weekStart;
  const to = new Date(from.getFullYear(), from.getMonth(), from.getDate() + 7);
  ui.weekRange.textContent = `${formatDate(from.toISOString(), false)} – ${formatDate(new Date(to - 1).toISOString(), false)}`;
  try {
    const data = await api("GET", `/v1/sessions?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`);
    showFormError(ui.weekError, "");
    renderWeek(Array.isArray(data && data.sessions) ? data.sessions : []);
  } catch (error) {
    showFormError(ui.weekError, errorText(error));
  }
}

/** The week's meetings by day, in this console's zone, each with its organiser's zone. */
function renderWeek(sessions) {
  const items = sessions
    .filter((s) => s.status !== "cancelled")
    .map((s) => {
      const li = el("li", "week-item");
      const button = el("button", "session-item");
      button.type = "button";
      button.dataset.session = s.id;
      const time = new Intl.DateTimeFormat(state.lang, { weekday: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })
        .format(new Date(s.startsAt));
      button.append(
        el("span", "session-item-title", t("weekItem", { time, title: s.title || s.id })),
        el(
          "span",
          "session-item-meta",
          `${t(s.status)} ${t("zoneNote", {
            zone: [s.timeZone, ...(Array.isArray(s.investorZones) ? s.investorZones : [])]
              .filter((zone, index, all) => zone && all.indexOf(zone) === index)
              .join(", "),
          })}`,
        ),
      );
      button.addEventListener("click", () => openSession(s.id));
      li.append(button);
      return li;
    });
  ui.week.replaceChildren(...(items.length ? items : [el("li", "muted-note", t("weekEmpty"))]));
}

/** A request's topic named in the console's language (its id when the pack has it no more). */
function topicName(id) {
  const names = calendar.topics && calendar.topics.get(id);
  return (names && (names[state.lang] || names.en)) || id;
}

async function loadRequests() {
  try {
    const [data, phrases, topics] = await Promise.all([
      api("GET", "/v1/requests?status=pending"),
      calendar.phrases.length ? Promise.resolve(null) : api("GET", "/v1/phrases"),
      calendar.topics ? Promise.resolve(null) : api("GET", "/v1/requests/topics"),
    ]);
    if (phrases && Array.isArray(phrases.phrases)) {
      calendar.phrases = phrases.phrases.filter((p) => String(p.id).startsWith("request-decline"));
    }
    // The request's topic (a desk or a zone) by its name in this console's language.
    if (topics && Array.isArray(topics.topics)) calendar.topics = new Map(topics.topics.map((topic) => [topic.id, topic.names || {}]));
    calendar.requests = Array.isArray(data && data.requests) ? data.requests : [];
    showFormError(ui.requestsError, "");
  } catch (error) {
    showFormError(ui.requestsError, errorText(error));
  }
  renderRequests();
}

/** Each waiting request: who, about what, their proposed times (in this console's zone,
 *  the investor's zone named), one Accept per time, and a Decline with a reason. */
function renderRequests() {
  ui.requestsNone.hidden = calendar.requests.length > 0;
  ui.requests.replaceChildren(
    ...calendar.requests.map((r) => {
      const li = el("li", "request");
      li.dataset.request = r.id;
      li.append(
        el("p", "who", t("requestFrom", { name: r.name, organisation: r.organisation })),
        el("p", "session-meta", t("requestMeta", { topic: topicName(r.topic), language: r.language, zone: r.timeZone, email: r.email })),
      );
      if (r.message) li.append(el("p", "request-message", r.message));
      const actions = el("div", "actions");
      r.slots.forEach((slot, index) => {
        actions.append(button(t("requestAccept", { slot: formatDate(slot) }), "button small", () => acceptRequest(r, index)));
      });
      const reason = el("select", "request-reason");
      reason.setAttribute("aria-label", t("requestReason"));
      for (const phrase of calendar.phrases) {
        const option = el("option", "", (phrase.texts && (phrase.texts[state.lang] || phrase.texts.en)) || phrase.id);
        option.value = phrase.id;
        reason.append(option);
      }
      actions.append(reason, button(t("requestDecline"), "button secondary small", () => declineRequest(r, reason.value)));
      li.append(actions);
      return li;
    }),
  );
}

async function acceptRequest(request, slot) {
  try {
    const answer = await api("POST", `/v1/requests/${encodeURIComponent(request.id)}/accept`, { slot });
    showStatus(t("requestAccepted", { title: answer.session.title }));
    loadRequests();
    loadWeek();
    loadSessions();
    loadOutbox();
  } catch (error) {
    showFormError(ui.requestsError, errorText(error));
  }
}

async function declineRequest(request, phrase) {
  try {
    await api("POST", `/v1/requests/${encodeURIComponent(request.id)}/decline`, { phrase });
    showStatus(t("requestDeclined"));
    loadRequests();
    loadOutbox();
  } catch (error) {
    showFormError(ui.requestsError, errorText(error));
  }
}

async function loadOutbox() {
  try {
    const data = await api("GET", "/v1/outbox?limit=20");
    calendar.outbox = Array.isArray(data && data.mails) ? data.mails : [];
    showFormError(ui.outboxError, "");
  } catch (error) {
    showFormError(ui.outboxError, errorText(error));
  }
  ui.outboxList.replaceChildren(
    ...calendar.outbox.map((m) => {
      const li = el("li", `outbox-item ${m.status}`);
      li.dataset.mail = m.id;
      li.append(
        el("span", "who", m.subject),
        el("span", "session-meta", t("outboxItem", { status: m.status, kind: m.kind, recipient: m.recipient })),
      );
      if (m.lastError) li.append(el("span", "form-error", m.lastError));
      return li;
    }),
  );
}

// ---------------------------------------------------------------------------
// Files: uploads whose body is the file itself, downloads with the staff token, sizes

const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** A query string whose values are %-encoded (never `+` for a space). */
function queryString(params) {
  return Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== "")
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join("&");
}

/** POSTs `body` (a File) as it is, with `type` as its Content-Type and the staff token;
 *  resolves to the JSON answer, rejects with an ApiError as api() does. */
async function postFile(path, body, type) {
  const headers = { Accept: "application/json", "Content-Type": type || "application/octet-stream" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  let response;
  try {
    response = await fetch(path, { method: "POST", headers, body, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" });
  } catch {
    throw new ApiError(0, "network", "The server could not be reached.");
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.ok) return data;
  const error = (data && typeof data.error === "object" && data.error) || {};
  const fallback = response.statusText ? `HTTP ${response.status} ${response.statusText}` : `HTTP ${response.status}`;
  const failure = new ApiError(response.status, String(error.code || ""), String(error.message || "") || fallback);
  if (response.status === 401 && state.role) signOut("errSignedOutRevoked");
  throw failure;
}

/** The path of `url` when it is on this server (the token never goes anywhere else), else null. */
function sameOriginPath(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url, location.origin);
    return parsed.origin === location.origin ? `${parsed.pathname}${parsed.search}` : null;
  } catch {
    return null;
  }
}

/** Hands `blob` to the browser as a download named `name`. */
function saveBlob(blob, name) {
  const href = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = href;
  link.download = name || "download";
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60000);
}

/** Who did something, as the server names them: an account object or a name. */
function personName(who) {
  if (!who) return t("unknownName");
  if (typeof who === "object") return who.name || nameOf(who.id);
  return String(who);
}

// ---------------------------------------------------------------------------
// Attachments: a file the officer sends to the meeting, shown as a card with a download

async function sendAttachment(file) {
  const id = state.sessionId;
  if (!id || !canWrite() || !file) return;
  const name = file.name || "file";
  if (file.size > MAX_UPLOAD_BYTES) {
    showStatus(t("attachFailed", { name, detail: t("errTooLarge") }), "error");
    return;
  }
  ui.attachButton.disabled = true;
  ui.composerNote.textContent = t("attachSending", { name });
  try {
    await postFile(`/v1/sessions/${encodeURIComponent(id)}/attachments?${queryString({ name })}`, file, file.type || "application/octet-stream");
    if (state.sessionId === id) showStatus(t("attachSent", { name }));
  } catch (error) {
    if (state.sessionId === id) showStatus(t("attachFailed", { name, detail: errorText(error) }), "error");
  } finally {
    renderComposerState();
  }
}

function renderAttachment(event) {
  const from = event.from || {};
  const attachment = event.attachment && typeof event.attachment === "object" ? event.attachment : {};
  const mine = Boolean(state.me && from.id === state.me.id);
  const item = el("li", `event msg attachment${mine ? " mine" : ""}`);
  item.dataset.seq = String(event.seq);
  const head = el("div", "msg-head");
  head.append(el("span", "msg-author", from.name || nameOf(from.id)), badge(from.role), timeElement(event.at));
  head.append(el("span", "seq", `#${event.seq}`));
  const body = el("div", "msg-body");
  const card = el("div", "attachment-card");
  card.dataset.attachment = String(attachment.id || "");
  card.dataset.type = String(attachment.type || "");
  const icon = attachmentIcon(/^image\//.test(String(attachment.type || "")));
  const info = el("div", "attachment-info");
  const name = attachment.name || t("attachmentKind");
  info.append(
    el("span", "attachment-name", name),
    el("span", "attachment-meta", t("attachmentMeta", { type: fileTypeLabel(attachment.type), size: formatBytes(attachment.size, state.lang) })),
  );
  const download = button(t("download"), "button secondary small", () => downloadAttachment(attachment, download));
  download.dataset.action = "download";
  download.setAttribute("aria-label", t("downloadLabel", { name }));
  download.disabled = !sameOriginPath(attachment.url);
  card.append(icon, info, download);
  body.append(card);
  item.append(head, body);
  return item;
}

/** A small drawn icon (no emoji font needed): a picture, or a page. */
function attachmentIcon(picture) {
  const ns = "http://www.w3.org/2000/svg";
  const box = el("span", "attachment-icon");
  box.setAttribute("aria-hidden", "true");
  const svgElement = document.createElementNS(ns, "svg");
  svgElement.setAttribute("viewBox", "0 0 24 24");
  svgElement.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "1.8");
  path.setAttribute("stroke-linejoin", "round");
  path.setAttribute(
    "d",
    picture ? "M3 5h18v14H3z M3 16l5-5 4 4 3-3 6 6 M15.5 9.5a1.5 1.5 0 1 0 0.01 0" : "M6 2h9l5 5v15H6z M15 2v5h5 M9 12h8 M9 16h8",
  );
  svgElement.append(path);
  box.append(svgElement);
  return box;
}

async function downloadAttachment(attachment, trigger) {
  const path = sameOriginPath(attachment.url);
  if (!path) return;
  const name = attachment.name || "attachment";
  if (trigger) trigger.disabled = true;
  showStatus(t("downloading", { name }));
  try {
    const response = await api("GET", path, undefined, { raw: true });
    saveBlob(await response.blob(), name);
    showStatus("");
  } catch (error) {
    showStatus(errorText(error), "error");
  } finally {
    if (trigger) trigger.disabled = false;
  }
}

// ---------------------------------------------------------------------------
// Ratings: an investor's 👍/👎 on an answer, shown on it to the officers

async function loadRatingReasons() {
  const lang = state.lang;
  if (state.ratingReasons && state.ratingReasons.lang === lang) return;
  const asked = { lang, map: new Map() };
  state.ratingReasons = asked;
  try {
    const agent = state.session && state.session.agent ? { agent: state.session.agent } : {};
    const data = await api("GET", `/v1/rating-reasons?${queryString({ language: lang, ...agent })}`);
    if (state.ratingReasons !== asked) return;
    for (const reason of Array.isArray(data && data.reasons) ? data.reasons : []) {
      if (reason && reason.id) asked.map.set(String(reason.id), String(reason.text || reason.id));
    }
    for (const about of state.ratings.keys()) rerenderEvent(about);
  } catch {
    // The reason's id is shown instead; the next rating asks again.
    if (state.ratingReasons === asked) state.ratingReasons = null;
  }
}

function reasonText(id) {
  const known = state.ratingReasons && state.ratingReasons.map.get(String(id));
  return known || String(id);
}

function renderRating(rating) {
  const helpful = rating.rating === "helpful";
  const box = el("p", `rating-badge ${helpful ? "helpful" : "unhelpful"}`);
  box.dataset.rating = helpful ? "helpful" : "unhelpful";
  if (Number.isInteger(rating.seq)) box.dataset.ratingSeq = String(rating.seq);
  const icon = el("span", "rating-icon", helpful ? "👍" : "👎");
  icon.setAttribute("aria-hidden", "true");
  const from = rating.from || {};
  let text = t(helpful ? "ratingHelpful" : "ratingUnhelpful");
  if (from.id || from.name) text += ` ${t("ratingBy", { name: from.name || nameOf(from.id) })}`;
  const label = el("span", "rating-text", text);
  box.append(icon, " ", label);
  if (rating.reason) {
    const reason = el("span", "rating-reason", t("ratingReason", { reason: reasonText(rating.reason) }));
    reason.dataset.reason = String(rating.reason);
    box.append(" · ", reason);
  }
  if (typeof rating.comment === "string" && rating.comment) {
    box.append(" · ", el("span", "rating-comment", t("ratingComment", { comment: rating.comment })));
  }
  box.title = box.textContent;
  return box;
}

// ---------------------------------------------------------------------------
// Zone media: a document's image, caption, 360° tour and map (answers and search results)

function renderMediaList(media) {
  const list = el("div", "media");
  for (const item of media) {
    const card = item && typeof item === "object" ? renderMedia(item) : null;
    if (card) list.append(card);
  }
  return list;
}

function renderMedia(media) {
  const image = sameOriginPath(media.image);
  const tour = isWebAddress(media.tour) ? media.tour : "";
  const map = isWebAddress(media.map) ? media.map : "";
  if (!image && !tour && !map) return null;
  const figure = el("figure", "media-card");
  if (media.document) figure.dataset.document = String(media.document);
  figure.setAttribute("aria-label", t("mediaOf", { title: media.title || media.document || "" }));
  if (image) {
    const img = document.createElement("img");
    img.className = "media-image";
    img.src = image;
    img.alt = media.caption || media.title || "";
    img.loading = "lazy";
    img.decoding = "async";
    figure.append(img);
  }
  const caption = el("figcaption", "");
  if (media.title) caption.append(el("span", "media-title", media.title));
  if (media.caption) caption.append(el("span", "media-caption", media.caption));
  const links = el("span", "media-links");
  for (const [href, key, kind] of [[tour, "mediaTour", "tour"], [map, "mediaMap", "map"]]) {
    if (!href) continue;
    const link = document.createElement("a");
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.className = "media-link";
    link.dataset.media = kind;
    link.textContent = t(key);
    links.append(link);
  }
  if (links.childElementCount) caption.append(links);
  if (caption.childNodes.length) figure.append(caption);
  return figure;
}

// ---------------------------------------------------------------------------
// Documents (officers): the agent pack's documents by family, their versions, an upload
// with its preview, publishing, rolling back and unpublishing.

const DOC_LANGUAGES = ["vi", "en", "fr", "ja", "ko", "zh"];
const DOC_TYPES = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  html: "text/html",
  htm: "text/html",
  md: "text/markdown",
  markdown: "text/markdown",
  txt: "text/plain",
};

/** The Content-Type of a document to upload: the browser's when it is one the server reads,
 *  else from the file name's extension. */
function documentType(file) {
  const known = new Set(Object.values(DOC_TYPES));
  const given = String(file.type || "").split(";")[0].trim().toLowerCase();
  if (known.has(given)) return given;
  const extension = String(file.name || "").toLowerCase().split(".").pop();
  return DOC_TYPES[extension] || given || "application/octet-stream";
}

function startDocuments() {
  ui.docsLanguage.replaceChildren(
    ...DOC_LANGUAGES.map((code) => {
      const option = document.createElement("option");
      option.value = code;
      option.dataset.langName = code;
      option.textContent = code;
      return option;
    }),
  );
  ui.openDocuments.addEventListener("click", openDocuments);
  ui.docsClose.addEventListener("click", () => ui.docsDialog.close());
  ui.docsDialog.addEventListener("close", () => {
    if (!ui.openDocuments.hidden) ui.openDocuments.focus();
  });
  ui.docsAgentForm.addEventListener("submit", (event) => {
    event.preventDefault();
    loadDocuments(ui.docsAgent.value.trim());
  });
  ui.docsUploadForm.addEventListener("submit", (event) => {
    event.preventDefault();
    uploadDocument();
  });
  ui.docsPublish.addEventListener("click", publishPreview);
  ui.docsDiscard.addEventListener("click", discardPreview);
}

/** The server's default pack (GET /v1/agents names it). */
async function defaultAgentId() {
  if (!state.defaultAgent) await loadAgents();
  return state.defaultAgent;
}

/** The packs the server has (GET /v1/agents), named in the console's language, into the
 *  new-session form's and the documents dialog's pack choices. */
async function loadAgents() {
  const ticket = {};
  state.agentsTicket = ticket; // a later language's answer wins, whichever arrives last
  try {
    const data = await api("GET", `/v1/agents?lang=${encodeURIComponent(state.lang)}`);
    if (state.agentsTicket !== ticket) return;
    state.agents = Array.isArray(data && data.agents) ? data.agents.filter((a) => a && typeof a.id === "string") : [];
    state.defaultAgent = data && typeof data.default === "string" ? data.default : (state.agents[0] || {}).id || "";
  } catch {
    state.agents = state.agents || [];
  }
  renderAgentChoices();
}

function renderAgentChoices() {
  const agents = state.agents || [];
  for (const select of [ui.sessionAgent, ui.docsAgent]) {
    const chosen = select.value || (select === ui.docsAgent ? state.docs.agent : "") || state.defaultAgent;
    select.replaceChildren(
      ...agents.map((agent) => {
        const option = document.createElement("option");
        option.value = agent.id;
        const name = agent.name && agent.name !== agent.id ? `${agent.name} (${agent.id})` : agent.id;
        option.textContent = agent.id === state.defaultAgent ? t("agentDefault", { name }) : name;
        option.selected = agent.id === chosen;
        return option;
      }),
    );
  }
}

async function openDocuments() {
  if (state.role !== "officer") return;
  if (!ui.docsDialog.open) ui.docsDialog.showModal();
  ui.docsTitle.focus();
  state.docs.message = "";
  const agent = (state.session && state.session.agent) || state.docs.agent || (await defaultAgentId());
  if (agent && ![...ui.docsAgent.options].some((o) => o.value === agent)) await loadAgents();
  ui.docsAgent.value = agent || "";
  await loadDocuments(agent);
}

async function loadDocuments(agent) {
  const docs = state.docs;
  if (!agent) {
    docs.error = t("errNoAgent");
    renderDocuments();
    ui.docsAgent.focus();
    return;
  }
  if (docs.agent !== agent) {
    docs.data = null;
    docs.open.clear();
  }
  docs.agent = agent;
  docs.loading = true;
  docs.error = "";
  const ticket = {};
  docs.ticket = ticket;
  renderDocuments();
  try {
    const data = await api("GET", `/v1/agents/${encodeURIComponent(agent)}/documents`);
    if (docs.ticket !== ticket) return;
    docs.data = {
      documents: Array.isArray(data && data.documents) ? data.documents.filter((d) => d && typeof d === "object") : [],
      families: Array.isArray(data && data.families) ? data.families.filter((f) => f && typeof f === "object") : [],
    };
  } catch (error) {
    if (docs.ticket !== ticket) return;
    docs.data = null;
    docs.error = errorText(error);
  }
  docs.loading = false;
  renderDocuments();
}

/** The documents grouped by family: the server's families first (with the languages it says
 *  are present and missing), then any other family a document names. */
function familyGroups(data) {
  if (!data) return [];
  const strings = (list) => (Array.isArray(list) ? list.map(String) : []);
  const groups = new Map();
  for (const family of data.families) {
    if (!family.family) continue;
    groups.set(String(family.family), { family: String(family.family), languages: strings(family.languages), missing: strings(family.missing), documents: [] });
  }
  for (const doc of data.documents) {
    const name = String(doc.family || String(doc.id || "").split(".")[0]);
    if (!groups.has(name)) groups.set(name, { family: name, languages: [], missing: [], documents: [] });
    groups.get(name).documents.push(doc);
  }
  const rank = (code) => (DOC_LANGUAGES.includes(code) ? DOC_LANGUAGES.indexOf(code) : DOC_LANGUAGES.length);
  for (const group of groups.values()) {
    if (!group.languages.length) group.languages = [...new Set(group.documents.map((d) => d.language).filter(Boolean))];
    group.languages.sort((a, b) => rank(a) - rank(b));
    group.missing.sort((a, b) => rank(a) - rank(b));
    group.documents.sort((a, b) => rank(a.language) - rank(b.language) || String(a.id).localeCompare(String(b.id)));
  }
  return [...groups.values()];
}

function renderDocuments() {
  if (!ui.docsFamilies) return;
  const docs = state.docs;
  const data = docs.data;
  showFormError(ui.docsError, docs.error);
  ui.docsFamilies.setAttribute("aria-busy", String(docs.loading));
  const groups = familyGroups(data);
  let status = docs.message || "";
  if (!status && docs.loading) status = t("docsLoading");
  else if (!status && data) status = t("docsCount", { n: data.documents.length, families: groups.length });
  if (ui.docsStatus.textContent !== status) ui.docsStatus.textContent = status;
  ui.docsEmpty.hidden = !data || data.documents.length > 0;
  ui.docsFamilyList.replaceChildren(
    ...groups.map((group) => {
      const option = document.createElement("option");
      option.value = group.family;
      return option;
    }),
  );
  const active = document.activeElement;
  const focus =
    active && ui.docsFamilies.contains(active)
      ? {
          document: active.closest("[data-document]")?.dataset.document,
          version: active.closest("[data-version]")?.dataset.version,
          action: active.dataset.action || (active.tagName === "SUMMARY" ? "versions" : ""),
        }
      : null;
  ui.docsFamilies.replaceChildren(...groups.map(renderFamily));
  if (focus && focus.document) {
    const holder = ui.docsFamilies.querySelector(`[data-document="${CSS.escape(focus.document)}"]`);
    let target = null;
    if (holder) {
      const scope = focus.version ? holder.querySelector(`[data-version="${CSS.escape(focus.version)}"]`) || holder : holder;
      target =
        (focus.action === "versions" && holder.querySelector("summary")) ||
        (focus.action && scope.querySelector(`[data-action="${CSS.escape(focus.action)}"]`)) ||
        scope.querySelector("button") ||
        holder.querySelector("summary");
    }
    (target || ui.docsTitle).focus({ preventScroll: true });
  }
  renderPreview();
}

function renderFamily(group) {
  const section = el("section", "doc-family");
  section.dataset.family = group.family;
  const heading = el("h3", "doc-family-name", group.family);
  heading.id = `doc-family-${group.family.replace(/[^a-zA-Z0-9_-]/g, "_")}`;
  section.setAttribute("aria-labelledby", heading.id);
  const langs = el("p", "doc-langs");
  langs.append(el("span", "doc-langs-label", t("docsPresent")));
  for (const code of group.languages) langs.append(" ", langBadge(code, true));
  if (group.missing.length) {
    langs.append(" ", el("span", "doc-langs-label missing", t("docsMissing")));
    for (const code of group.missing) langs.append(" ", langBadge(code, false));
  } else {
    langs.append(" ", el("span", "doc-langs-complete", `(${t("docsNoneMissing")})`));
  }
  langs.dataset.present = group.languages.join(",");
  langs.dataset.missing = group.missing.join(",");
  section.append(heading, langs);
  const list = el("ul", "doc-list");
  for (const doc of group.documents) list.append(renderDocument(doc));
  section.append(list);
  return section;
}

function langBadge(code, present) {
  const badgeElement = el("span", `lang-badge ${present ? "present" : "missing"}`);
  badgeElement.dataset.lang = code;
  const name = languageName(code, state.lang);
  badgeElement.title = present ? name : t("docsMissingLang", { lang: name });
  const short = el("span", "", String(code).toUpperCase());
  short.setAttribute("aria-hidden", "true");
  badgeElement.append(short, el("span", "visually-hidden", badgeElement.title));
  return badgeElement;
}

function renderDocument(doc) {
  const docs = state.docs;
  const li = el("li", "doc");
  const id = String(doc.id || "");
  li.dataset.document = id;
  const published = Number.isInteger(doc.published) ? doc.published : null;
  const origin = doc.origin === "upload" ? "upload" : "pack";
  li.dataset.published = published === null ? "" : String(published);
  li.dataset.origin = origin;
  li.dataset.state = published !== null ? "published" : origin === "pack" ? "pack" : "unpublished";

  const head = el("p", "doc-head");
  const lang = el("span", "tag doc-lang", String(doc.language || "").toUpperCase());
  lang.title = languageName(doc.language, state.lang);
  const title = el("span", "doc-title", doc.title || id);
  if (doc.language) title.lang = doc.language;
  head.append(lang, " ", title, " ", el("span", `tag origin ${origin}`, t(`docsOrigin_${origin}`)));
  li.append(head);

  const meta = [id, doc.source, doc.date, doc.zone, doc.sector].filter(Boolean).map(String);
  const metaLine = el("p", "doc-meta");
  appendLinkified(metaLine, meta.join(" · "));
  li.append(metaLine);
  const publishedLine = el(
    "p",
    `doc-published ${li.dataset.state}`,
    published !== null ? t("docsPublishedVersion", { version: published }) : origin === "pack" ? t("docsPackFile") : t("docsNotPublished"),
  );
  li.append(publishedLine);

  const versions = (Array.isArray(doc.versions) ? doc.versions : [])
    .filter((v) => v && Number.isInteger(v.version))
    .sort((a, b) => b.version - a.version);
  if (versions.length) {
    const details = document.createElement("details");
    details.className = "doc-versions";
    details.open = docs.open.has(id);
    details.addEventListener("toggle", () => {
      if (details.open) docs.open.add(id);
      else docs.open.delete(id);
    });
    const summary = document.createElement("summary");
    summary.textContent = t("docsVersions", { n: versions.length });
    details.append(summary);
    const list = el("ol", "doc-version-list");
    for (const version of versions) list.append(renderVersion(doc, version, published));
    details.append(list);
    li.append(details);
  }
  return li;
}

function renderVersion(doc, version, published) {
  const docs = state.docs;
  const item = el("li", `doc-version ${version.status || ""}`);
  item.dataset.version = String(version.version);
  item.dataset.status = String(version.status || "");
  const head = el("p", "doc-version-head");
  head.append(el("strong", "", t("docsVersion", { version: version.version })));
  if (version.status) {
    const key = `docsStatus_${version.status}`;
    head.append(" ", el("span", `tag version-status ${version.status}`, key in STRINGS.en ? t(key) : version.status));
  }
  item.append(head);
  const lines = [];
  if (version.createdAt || version.createdBy) lines.push(t("docsVersionBy", { when: formatDate(version.createdAt), name: personName(version.createdBy) }));
  if (version.publishedAt) lines.push(t("docsVersionPublishedBy", { when: formatDate(version.publishedAt), name: personName(version.publishedBy) }));
  for (const line of lines) item.append(el("p", "doc-version-meta", line));
  const file = version.file && typeof version.file === "object" ? version.file : null;
  if (file) {
    const fileLine = el("p", "doc-version-file", t("docsFileLine", { name: file.name || "—", type: fileTypeLabel(file.type), size: formatBytes(file.size, state.lang) }));
    if (file.sha256) fileLine.title = `SHA-256 ${file.sha256}`;
    item.append(fileLine);
  }
  const actions = el("div", "actions-row");
  const view = button(t("docsView"), "button secondary small", () => viewVersion(doc, version.version));
  view.dataset.action = "view";
  actions.append(view);
  if (published !== null && version.version === published) {
    const unpublish = button(t("docsUnpublish"), "button secondary small danger", () => unpublishDocument(doc));
    unpublish.dataset.action = "unpublish";
    unpublish.setAttribute("aria-disabled", String(docs.busy));
    actions.append(unpublish);
  } else {
    const older = published !== null && version.version < published;
    const publish = button(older ? t("docsRollBack", { version: version.version }) : t("docsPublishVersion"), "button secondary small", () =>
      publishVersion(doc, version.version),
    );
    publish.dataset.action = older ? "rollback" : "publish";
    publish.setAttribute("aria-disabled", String(docs.busy));
    actions.append(publish);
  }
  item.append(actions);
  return item;
}

/** Runs a publish or unpublish, then reloads the list; `done(entry)` names the outcome. */
async function documentAction(path, done) {
  const docs = state.docs;
  const agent = docs.agent;
  if (docs.busy || !agent) return null;
  docs.busy = true;
  docs.message = t("docsPublishing");
  renderDocuments();
  let failure = "";
  let entry = null;
  try {
    entry = await api("POST", `/v1/agents/${encodeURIComponent(agent)}/documents/${path}`);
  } catch (error) {
    failure = errorText(error);
  }
  docs.busy = false;
  docs.message = failure ? "" : done(entry || {});
  await loadDocuments(agent);
  if (failure) {
    docs.error = failure;
    renderDocuments();
  }
  return failure ? null : entry || {};
}

/** Shows a listed version's text in the preview (GET …/documents/{doc}?version=N). */
async function viewVersion(doc, version) {
  const docs = state.docs;
  const agent = docs.agent;
  try {
    const data = await api("GET", `/v1/agents/${encodeURIComponent(agent)}/documents/${encodeURIComponent(doc.id)}?${queryString({ version })}`);
    const entry = data && typeof data === "object" ? data : {};
    const file = entry.file && typeof entry.file === "object" ? entry.file : {};
    docs.preview = {
      agent,
      id: String(doc.id),
      version: Number.isInteger(entry.version) ? entry.version : version,
      status: entry.status || "",
      preview: (entry.preview && typeof entry.preview === "object" && entry.preview) || {},
      title: doc.title || doc.id,
      language: doc.language || "",
      fileName: file.name || "",
      fileSize: file.size,
      type: file.type || "",
      error: "",
    };
    docs.error = "";
    renderDocuments();
    ui.docsPreview.scrollIntoView({ block: "nearest" });
    ui.docsPreviewTitle.focus({ preventScroll: true });
  } catch (error) {
    docs.error = errorText(error);
    renderDocuments();
  }
}

function publishVersion(doc, version) {
  return documentAction(`${encodeURIComponent(doc.id)}/publish?${queryString({ version })}`, (entry) =>
    t("docsPublished", { title: entry.title || doc.title || doc.id, version: Number.isInteger(entry.published) ? entry.published : version }),
  );
}

function unpublishDocument(doc) {
  return documentAction(`${encodeURIComponent(doc.id)}/unpublish`, (entry) => t("docsUnpublished", { title: entry.title || doc.title || doc.id }));
}

async function uploadDocument() {
  const docs = state.docs;
  showFormError(ui.docsUploadError, "");
  const agent = docs.agent || ui.docsAgent.value.trim();
  const file = ui.docsFile.files && ui.docsFile.files[0];
  const fields = {
    family: ui.docsFamily.value.trim(),
    language: ui.docsLanguage.value,
    title: ui.docsDocTitle.value.trim(),
    source: ui.docsSource.value.trim(),
    date: ui.docsDate.value.trim(),
  };
  let problem = "";
  let focus = null;
  if (!agent) [problem, focus] = [t("errNoAgent"), ui.docsAgent];
  else if (!file) [problem, focus] = [t("errDocsNoFile"), ui.docsFile];
  else if (file.size > MAX_UPLOAD_BYTES) [problem, focus] = [t("errTooLarge"), ui.docsFile];
  else if (!fields.family || !fields.title || !fields.source || !fields.date) {
    problem = t("errDocsFields");
    focus = [ui.docsFamily, ui.docsDocTitle, ui.docsSource, ui.docsDate].find((input) => !input.value.trim());
  }
  if (problem) {
    showFormError(ui.docsUploadError, problem);
    if (focus) focus.focus();
    return;
  }
  const params = { ...fields, zone: ui.docsZone.value.trim(), sector: ui.docsSector.value.trim(), name: file.name };
  const type = documentType(file);
  ui.docsUpload.disabled = true;
  docs.message = t("docsUploading");
  renderDocuments();
  try {
    const answer = await postFile(`/v1/agents/${encodeURIComponent(agent)}/documents?${queryString(params)}`, file, type);
    docs.preview = {
      agent,
      id: String((answer && answer.id) || `${fields.family}.${fields.language}`),
      version: answer && Number.isInteger(answer.version) ? answer.version : null,
      status: (answer && answer.status) || "preview",
      preview: (answer && typeof answer.preview === "object" && answer.preview) || {},
      title: fields.title,
      language: fields.language,
      fileName: file.name,
      fileSize: file.size,
      type,
      error: "",
    };
    docs.message = "";
    await loadDocuments(agent);
    ui.docsPreview.scrollIntoView({ block: "nearest" });
    ui.docsPreviewTitle.focus({ preventScroll: true });
  } catch (error) {
    docs.message = "";
    renderDocuments();
    showFormError(ui.docsUploadError, errorText(error));
  } finally {
    ui.docsUpload.disabled = false;
  }
}

function renderPreview() {
  const docs = state.docs;
  const current = docs.preview && docs.preview.agent === docs.agent ? docs.preview : null;
  ui.docsPreview.hidden = !current;
  if (!current) return;
  const preview = current.preview;
  const metadata = preview.metadata && typeof preview.metadata === "object" ? preview.metadata : {};
  ui.docsPreview.dataset.document = current.id;
  ui.docsPreview.dataset.version = current.version === null ? "" : String(current.version);
  ui.docsPreviewTitle.textContent = t("docsPreviewTitle", {
    title: typeof metadata.title === "string" && metadata.title ? metadata.title : current.title,
    id: current.id,
    version: current.version ?? "?",
  });
  const rows = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (value === null || value === undefined || value === "") continue;
    rows.push([key, typeof value === "string" ? value : JSON.stringify(value), key]);
  }
  if (Number.isInteger(preview.characters)) rows.push([t("docsMetaCharacters"), new Intl.NumberFormat(state.lang).format(preview.characters), "characters"]);
  if (Number.isInteger(preview.pages)) rows.push([t("docsMetaPages"), String(preview.pages), "pages"]);
  if (current.fileName) rows.push([t("docsMetaFile"), `${current.fileName} · ${fileTypeLabel(current.type)} · ${formatBytes(current.fileSize, state.lang)}`, "file"]);
  ui.docsPreviewMeta.replaceChildren(
    ...rows.flatMap(([label, value, key]) => {
      const dd = el("dd", "", value);
      dd.dataset.key = key;
      return [el("dt", "", label), dd];
    }),
  );
  const sections = Array.isArray(preview.sections) ? preview.sections : [];
  ui.docsPreviewSections.replaceChildren(
    ...(sections.length
      ? sections.map((section) => {
          const text = typeof section === "string" ? section : section && (section.heading || section.title || JSON.stringify(section));
          const li = el("li", "", text || "");
          li.lang = current.language;
          return li;
        })
      : [el("li", "muted-note", t("docsNoSections"))]),
  );
  const text = typeof preview.text === "string" ? preview.text : typeof preview.markdown === "string" ? preview.markdown : "";
  if (ui.docsPreviewText.textContent !== text) ui.docsPreviewText.textContent = text;
  ui.docsPreviewText.lang = current.language;
  showFormError(ui.docsPreviewError, current.error);
  ui.docsPublish.disabled = docs.busy || current.version === null || current.status === "published";
  ui.docsDiscard.disabled = docs.busy;
}

async function publishPreview() {
  const docs = state.docs;
  const current = docs.preview;
  if (!current || docs.busy) return;
  const entry = await publishVersion({ id: current.id, title: current.title }, current.version);
  if (entry) {
    docs.preview = null;
    renderPreview();
    // Ready for the next language of the family: a new file and its title.
    ui.docsFile.value = "";
    ui.docsDocTitle.value = "";
    const published = ui.docsFamilies.querySelector(`[data-document="${CSS.escape(current.id)}"]`);
    if (published) published.scrollIntoView({ block: "nearest" });
    ui.docsTitle.focus({ preventScroll: true });
  } else {
    // The list says why (docs-error); the preview stays, to try again or discard.
    current.error = state.docs.error;
    renderPreview();
  }
}

function discardPreview() {
  state.docs.preview = null;
  renderPreview();
  ui.docsFile.focus();
}

start();
