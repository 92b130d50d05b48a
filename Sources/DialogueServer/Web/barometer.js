// The investor barometer: /barometer, for officers, administrators and reviewers.
// GET /v1/barometer?from=&to=&group= (JSON, or CSV with &format=csv): survey scores per
// dimension (1–5), responses and response rate per group, helpful shares per document, the
// most frequent gaps. The table is the source of truth; the charts are drawn here as inline
// SVG (no library) and carry role="img" with a text alternative. The staff token is the
// console's (sessionStorage "ipa.staffToken", this tab only) and travels only in the
// Authorization header. Every text from the server is inserted as text, never as HTML.
import { applyStrings, fillLanguageSelect, format } from "/lang.js";
import { createApi } from "/api.js";
import { languageName } from "/text.js";
import { probeStaffToken } from "/socket.js";
import { STRINGS } from "/barometer-strings.js";
import { initialStaffLanguage, rememberStaffLanguage, signedInLanguage, STAFF_LANGUAGES } from "/staff-lang.js";

const TOKEN_KEY = "ipa.staffToken";
const GROUPS = ["month", "quarter", "desk", "zone", "language", "country"];
const SVG_NS = "http://www.w3.org/2000/svg";
// Distinguishable on white and in greyscale print (darkness steps), one per dimension.
const COLORS = ["#0b4f6c", "#2f9e8f", "#b36b00", "#6a3d9a", "#a4262c", "#5a8fb0", "#6b7d00", "#8c564b"];
const OVERALL_COLOR = "#17232e";
const INVITED_COLOR = "#a9c9d8";
const RESPONSES_COLOR = "#0b4f6c";


const state = {
  lang: "en",
  token: "",
  data: null, // the last answer of GET /v1/barometer
  query: null, // { from, to, group } it answered
  ticket: null,
  person: "", // the signed-in staff member's id: their language is remembered
};

const ui = {};

const api = createApi({
  token: () => state.token,
  onUnauthorized: () => {
    if (state.token) signOut("errSignedOut");
  },
});

function t(key, values) {
  const table = STRINGS[state.lang] || STRINGS.en;
  const template = key in table ? table[key] : STRINGS.en[key];
  return format(template === undefined ? key : template, values);
}

function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = String(text);
  return element;
}

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = String(text);
  return element;
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
    // The token stays in memory only.
  }
}

// ---------------------------------------------------------------------------
// Numbers and names

function number(value, options = {}) {
  try {
    return new Intl.NumberFormat(state.lang, options).format(value);
  } catch {
    return String(value);
  }
}

function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}

function formatScore(value) {
  return isNumber(value) ? number(value, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : t("noScore");
}

function formatRate(value) {
  return isNumber(value) ? number(value, { style: "percent", maximumFractionDigits: 1 }) : t("noScore");
}

function formatCount(value) {
  return isNumber(value) ? number(value, { maximumFractionDigits: 0 }) : t("noScore");
}

function formatDay(day) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(day || ""));
  if (!match) return String(day || "");
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  try {
    return new Intl.DateTimeFormat(state.lang, { dateStyle: "medium", timeZone: "UTC" }).format(date);
  } catch {
    return String(day);
  }
}

/** A group's key as people read it: a month's or quarter's name, a language's name. */
function groupLabel(key, group) {
  const text = String(key ?? "");
  if (!text) return t("unknownKey");
  if (group === "month") {
    const match = /^(\d{4})-(\d{2})$/.exec(text);
    if (match) {
      try {
        return new Intl.DateTimeFormat(state.lang, { year: "numeric", month: "short", timeZone: "UTC" }).format(
          new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)),
        );
      } catch {
        return text;
      }
    }
  }
  if (group === "quarter") {
    const match = /^(\d{4})-?Q([1-4])$/i.exec(text);
    if (match) return t("quarter", { q: match[2], year: match[1] });
  }
  if (group === "country" && /^[A-Z]{2}$/.test(text)) {
    try {
      const name = new Intl.DisplayNames([state.lang], { type: "region" }).of(text);
      return name && name !== text ? `${name} (${text})` : text;
    } catch {
      return text;
    }
  }
  if (group === "language") {
    const name = languageName(text, state.lang);
    return name && name !== text ? `${name} (${text})` : text;
  }
  return text;
}

/** The chart and table series: the response's dimensions, then "overall" when the groups
 *  carry it and the dimensions do not name it. */
function seriesOf(data) {
  const list = (Array.isArray(data.dimensions) ? data.dimensions : [])
    .filter((d) => d && d.id)
    .map((d) => ({ id: String(d.id), label: d.label }));
  const groups = Array.isArray(data.groups) ? data.groups : [];
  if (!list.some((d) => d.id === "overall") && groups.some((g) => g && g.scores && "overall" in g.scores)) {
    list.push({ id: "overall", label: null, overall: true });
  }
  return list.map((d, index) => ({ ...d, color: d.id === "overall" ? OVERALL_COLOR : COLORS[index % COLORS.length] }));
}

function seriesLabel(series) {
  const label = series.label;
  if (typeof label === "string" && label) return label;
  if (label && typeof label === "object") return label[state.lang] || label.en || label.vi || series.id;
  return series.id === "overall" ? t("overall") : series.id;
}

// ---------------------------------------------------------------------------
// Start, views, language

function start() {
  for (const id of [
    "barometer-lang", "sign-out", "view-signin", "signin-form", "token-input", "signin-error", "sign-in", "signin-title",
    "view-barometer", "title", "period", "filters", "from", "to", "group", "show", "csv-link", "print", "status", "error",
    "results", "totals", "figures", "figures-head", "figures-body", "scores-chart", "scores-legend", "responses-chart",
    "responses-legend", "documents", "documents-none", "gaps", "gaps-none", "main",
  ]) {
    ui[id.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = document.getElementById(id);
  }
  state.lang = initialStaffLanguage();
  fillLanguageSelect(ui.barometerLang, state.lang);
  const { from, to, group } = initialQuery();
  ui.from.value = from;
  ui.to.value = to;
  ui.group.value = group;

  ui.barometerLang.addEventListener("change", () => setLanguage(ui.barometerLang.value));
  ui.signinForm.addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(ui.tokenInput.value.trim());
  });
  ui.signOut.addEventListener("click", () => signOut());
  ui.filters.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  ui.group.addEventListener("change", () => load());
  ui.csvLink.addEventListener("click", (event) => {
    event.preventDefault();
    downloadCSV();
  });
  ui.print.addEventListener("click", () => window.print());

  applyLanguage();
  const stored = tokenGet();
  if (stored) {
    state.token = stored;
    learnPerson(stored);
    showView("barometer");
    load();
  } else {
    showView("signin");
  }
}

/** The filters: from the address's fragment (#from=…&to=…&group=…), else the last twelve
 *  months by month. */
function initialQuery() {
  const today = new Date();
  const day = (date) =>
    `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
  const query = { from: day(new Date(today.getFullYear(), today.getMonth() - 11, 1)), to: day(today), group: "month" };
  const hash = new URLSearchParams(location.hash.slice(1));
  for (const key of ["from", "to"]) {
    const value = hash.get(key);
    if (value && /^\d{4}-\d{2}-\d{2}$/.test(value)) query[key] = value;
  }
  if (GROUPS.includes(hash.get("group"))) query.group = hash.get("group");
  return query;
}

function showView(name) {
  ui.viewSignin.hidden = name !== "signin";
  ui.viewBarometer.hidden = name !== "barometer";
  ui.signOut.hidden = name !== "barometer";
}

function setLanguage(lang, remember = true) {
  if (!STAFF_LANGUAGES.includes(lang) || lang === state.lang) return;
  state.lang = lang;
  if (remember) rememberStaffLanguage(lang, state.person);
  applyLanguage();
}

/** Who holds `token` (a hello answers): their remembered language is taken, or the current
 *  one remembered for them. Nothing waits on it; a failed probe changes nothing. */
async function learnPerson(token) {
  const { verdict, you } = await probeStaffToken(token, state.lang, 8000);
  if (verdict !== "ok" || !you || token !== state.token) return;
  state.person = you.id;
  setLanguage(signedInLanguage(you.id, state.lang), false);
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  applyStrings(document, STRINGS[state.lang] || STRINGS.en);
  ui.barometerLang.value = state.lang;
  document.title = `${t("pageTitle")} — Quảng Ninh IPA`;
  render();
}

function showError(text) {
  ui.error.textContent = text || "";
  ui.error.hidden = !text;
}

function setStatus(text) {
  if (ui.status.textContent !== text) ui.status.textContent = text || "";
}

function errorText(error) {
  if (!error) return "";
  if (error.code === "network") return t("errNetwork");
  if (error.status === 403) return t("errForbidden");
  return t("errGeneric", { detail: error.message || error.code || `HTTP ${error.status}` });
}

// ---------------------------------------------------------------------------
// Sign in / out

async function signIn(token) {
  showFormError("");
  if (!token) {
    showFormError(t("errTokenEmpty"));
    ui.tokenInput.focus();
    return;
  }
  ui.signIn.disabled = true;
  ui.signIn.textContent = t("signingIn");
  try {
    // The barometer itself says whether the token may read it.
    await api("GET", `/v1/barometer?${queryString(currentQuery())}`, undefined, { token, signOutOn401: false });
    state.token = token;
    tokenSet(token);
    learnPerson(token);
    ui.tokenInput.value = "";
    showView("barometer");
    ui.title.focus();
    load();
  } catch (error) {
    showFormError(error.status === 401 ? t("errTokenRejected") : errorText(error));
    ui.tokenInput.focus();
  } finally {
    ui.signIn.disabled = false;
    ui.signIn.textContent = t("signIn");
  }
}

function showFormError(text) {
  ui.signinError.textContent = text || "";
  ui.signinError.hidden = !text;
}

function signOut(reasonKey) {
  tokenSet("");
  state.token = "";
  state.person = "";
  setLanguage(initialStaffLanguage(), false); // the signed-out page's language, not the last person's
  state.data = null;
  state.query = null;
  render();
  showView("signin");
  showFormError(reasonKey ? t(reasonKey) : "");
  ui.tokenInput.focus();
}

// ---------------------------------------------------------------------------
// Loading

function currentQuery() {
  return { from: ui.from.value, to: ui.to.value, group: GROUPS.includes(ui.group.value) ? ui.group.value : "month" };
}

function queryString(params) {
  return Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== "")
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join("&");
}

function csvPath(query) {
  return `/v1/barometer?${queryString({ ...query, format: "csv" })}`;
}

function csvName(query) {
  return `barometer_${query.from}_${query.to}_${query.group}.csv`;
}

async function load() {
  const query = currentQuery();
  if (!query.from || !query.to || query.from > query.to) {
    showError(t("errDates"));
    (query.from ? ui.to : ui.from).focus();
    return;
  }
  showError("");
  const ticket = {};
  state.ticket = ticket;
  ui.show.disabled = true;
  ui.results.setAttribute("aria-busy", "true");
  setStatus(t("loading"));
  try {
    const data = await api("GET", `/v1/barometer?${queryString(query)}`);
    if (state.ticket !== ticket) return;
    state.data = data && typeof data === "object" ? data : {};
    state.query = query;
    history.replaceState(null, "", `${location.pathname}#${queryString(query)}`);
    render();
  } catch (error) {
    if (state.ticket !== ticket) return;
    setStatus("");
    showError(errorText(error));
  } finally {
    if (state.ticket === ticket) {
      ui.show.disabled = false;
      ui.results.setAttribute("aria-busy", "false");
    }
  }
}

async function downloadCSV() {
  const query = state.query || currentQuery();
  const name = csvName(query);
  setStatus(t("csvSaving"));
  try {
    const response = await api("GET", csvPath(query), undefined, { raw: true });
    const blob = await response.blob();
    const href = URL.createObjectURL(blob.type ? blob : new Blob([blob], { type: "text/csv" }));
    const link = document.createElement("a");
    link.href = href;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60000);
    ui.csvLink.dataset.saved = name;
    setStatus(t("csvSaved", { name }));
  } catch (error) {
    setStatus("");
    showError(errorText(error));
  }
}

// ---------------------------------------------------------------------------
// Rendering

function render() {
  if (!ui.results) return;
  const data = state.data;
  const query = state.query || currentQuery();
  ui.csvLink.href = csvPath(query);
  ui.csvLink.download = csvName(query);
  ui.results.hidden = !data;
  if (!data) {
    ui.period.textContent = "";
    return;
  }
  const group = GROUPS.includes(data.group) ? data.group : query.group;
  const groups = (Array.isArray(data.groups) ? data.groups : []).filter((g) => g && typeof g === "object");
  const series = seriesOf(data);
  ui.period.textContent = t("period", {
    from: formatDay(data.from || query.from),
    to: formatDay(data.to || query.to),
    group: t(`groupIn_${group}`),
  });
  const totals = data.totals && typeof data.totals === "object" ? data.totals : {};
  setStatus(t("loaded", { groups: groups.length, responses: formatCount(totals.responses ?? groups.reduce((n, g) => n + (g.responses || 0), 0)) }));
  renderTotals(totals);
  renderTable(groups, series, group);
  renderScoresChart(groups, series, group);
  renderResponsesChart(groups, group);
  renderDocuments(Array.isArray(data.documents) ? data.documents : []);
  renderGaps(Array.isArray(data.gaps) ? data.gaps : []);
}

function renderTotals(totals) {
  const items = [
    ["invited", formatCount],
    ["responses", formatCount],
    ["responseRate", formatRate],
    ["ratings", formatCount],
    ["helpfulShare", formatRate],
  ];
  ui.totals.replaceChildren(
    ...items.map(([key, show]) => {
      const item = el("div", "total");
      item.dataset.total = key;
      const value = el("dd", "", show(totals[key]));
      value.dataset.value = isNumber(totals[key]) ? String(totals[key]) : "";
      item.append(el("dt", "", t(`total_${key}`)), value);
      return item;
    }),
  );
}

function renderTable(groups, series, group) {
  const head = el("tr");
  const columns = [
    [t(`group_${group}`), "group"],
    [t("col_invited"), "invited"],
    [t("col_responses"), "responses"],
    [t("col_responseRate"), "responseRate"],
    ...series.map((s) => [seriesLabel(s), s.id]),
  ];
  for (const [label, key] of columns) {
    const th = el("th", key === "group" ? "" : "num", label);
    th.scope = "col";
    th.dataset.column = key;
    head.append(th);
  }
  ui.figuresHead.replaceChildren(head);
  if (!groups.length) {
    const row = el("tr");
    const cell = el("td", "empty", t("noGroups"));
    cell.colSpan = columns.length;
    row.append(cell);
    ui.figuresBody.replaceChildren(row);
    return;
  }
  ui.figuresBody.replaceChildren(
    ...groups.map((g) => {
      const row = el("tr");
      row.dataset.key = String(g.key ?? "");
      const name = el("th", "", groupLabel(g.key, group));
      name.scope = "row";
      row.append(name);
      const cell = (field, value, show) => {
        const td = el("td", "num", show(value));
        td.dataset.field = field;
        td.dataset.value = isNumber(value) ? String(value) : "";
        return td;
      };
      row.append(cell("invited", g.invited, formatCount), cell("responses", g.responses, formatCount), cell("responseRate", g.responseRate, formatRate));
      const scores = g.scores && typeof g.scores === "object" ? g.scores : {};
      for (const s of series) {
        const td = cell(`score:${s.id}`, scores[s.id], formatScore);
        td.dataset.dimension = s.id;
        row.append(td);
      }
      return row;
    }),
  );
}

/** The chart's frame: a responsive SVG with a text alternative. */
function chartFrame(width, height, label) {
  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    width: "100%",
    preserveAspectRatio: "xMidYMid meet",
    role: "img",
    "aria-label": label,
    class: "chart-svg",
    focusable: "false",
  });
  return root;
}

/** Group labels under the bands, slanted when many. */
function xLabels(root, groups, group, left, band, baseline) {
  const slant = groups.length > 6;
  groups.forEach((g, index) => {
    const x = left + band * (index + 0.5);
    const label = groupLabel(g.key, group);
    const text = svg(
      "text",
      slant
        ? { x, y: baseline + 14, "text-anchor": "end", transform: `rotate(-35 ${x} ${baseline + 14})`, class: "axis-label" }
        : { x, y: baseline + 18, "text-anchor": "middle", class: "axis-label" },
      label.length > 22 ? `${label.slice(0, 21)}…` : label,
    );
    root.append(text);
  });
}

function renderScoresChart(groups, series, group) {
  const width = 760;
  const height = groups.length > 6 ? 320 : 290;
  const margin = { left: 40, right: 12, top: 14, bottom: groups.length > 6 ? 70 : 40 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const y = (value) => margin.top + ((5 - Math.max(1, Math.min(5, value))) / 4) * plotHeight;
  const root = chartFrame(width, height, t("scoresChart", { group: t(`groupIn_${group}`) }));
  for (let tick = 1; tick <= 5; tick += 1) {
    root.append(
      svg("line", { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick), class: tick === 1 ? "axis" : "grid" }),
      svg("text", { x: margin.left - 8, y: y(tick) + 4, "text-anchor": "end", class: "axis-label" }, number(tick)),
    );
  }
  const band = groups.length ? plotWidth / groups.length : plotWidth;
  const inner = band * 0.8;
  const barWidth = series.length ? Math.max(1, inner / series.length) : inner;
  groups.forEach((g, index) => {
    const scores = g.scores && typeof g.scores === "object" ? g.scores : {};
    const x0 = margin.left + band * index + (band - inner) / 2;
    series.forEach((s, k) => {
      const value = scores[s.id];
      if (!isNumber(value)) return;
      const top = y(value);
      const bar = svg("rect", {
        x: (x0 + k * barWidth + 0.5).toFixed(2),
        y: top.toFixed(2),
        width: Math.max(0.5, barWidth - 1).toFixed(2),
        height: Math.max(0.5, y(1) - top).toFixed(2),
        fill: s.color,
        class: "bar",
        "data-group": String(g.key ?? ""),
        "data-dimension": s.id,
        "data-value": String(value),
      });
      bar.append(svg("title", {}, t("barTitle", { series: seriesLabel(s), group: groupLabel(g.key, group), value: formatScore(value) })));
      root.append(bar);
    });
  });
  xLabels(root, groups, group, margin.left, band, y(1));
  ui.scoresChart.replaceChildren(root);
  ui.scoresLegend.replaceChildren(...series.map((s) => legendItem(s.color, seriesLabel(s))));
}

/** A round step (1, 2, 5 × 10ⁿ) for about four ticks up to `max`. */
function niceStep(max) {
  const raw = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const factor of [1, 2, 5, 10]) if (raw <= factor * power) return Math.max(1, factor * power);
  return raw;
}

function renderResponsesChart(groups, group) {
  const width = 760;
  const height = groups.length > 6 ? 320 : 290;
  const margin = { left: 44, right: 12, top: 26, bottom: groups.length > 6 ? 70 : 40 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const max = Math.max(1, ...groups.map((g) => Math.max(Number(g.invited) || 0, Number(g.responses) || 0)));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const y = (value) => margin.top + (1 - value / top) * plotHeight;
  const root = chartFrame(width, height, t("responsesChart", { group: t(`groupIn_${group}`) }));
  for (let tick = 0; tick <= top; tick += step) {
    root.append(
      svg("line", { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick), class: tick === 0 ? "axis" : "grid" }),
      svg("text", { x: margin.left - 8, y: y(tick) + 4, "text-anchor": "end", class: "axis-label" }, number(tick)),
    );
  }
  const band = groups.length ? plotWidth / groups.length : plotWidth;
  const inner = Math.min(band * 0.7, 120);
  const barWidth = inner / 2;
  groups.forEach((g, index) => {
    const x0 = margin.left + band * index + (band - inner) / 2;
    const label = groupLabel(g.key, group);
    [["invited", INVITED_COLOR], ["responses", RESPONSES_COLOR]].forEach(([field, color], k) => {
      const value = Number(g[field]) || 0;
      const bar = svg("rect", {
        x: (x0 + k * barWidth + 0.5).toFixed(2),
        y: y(value).toFixed(2),
        width: Math.max(0.5, barWidth - 1).toFixed(2),
        height: Math.max(0, y(0) - y(value)).toFixed(2),
        fill: color,
        class: "bar",
        "data-group": String(g.key ?? ""),
        "data-field": field,
        "data-value": String(value),
      });
      bar.append(svg("title", {}, t("barTitle", { series: t(field === "invited" ? "legendInvited" : "legendResponses"), group: label, value: formatCount(value) })));
      root.append(bar);
    });
    const rate = svg(
      "text",
      { x: (x0 + inner / 2).toFixed(2), y: (y(Math.max(Number(g.invited) || 0, Number(g.responses) || 0)) - 6).toFixed(2), "text-anchor": "middle", class: "rate-label" },
      formatRate(g.responseRate),
    );
    rate.append(svg("title", {}, t("rateTitle", { group: label, responses: formatCount(g.responses), invited: formatCount(g.invited), rate: formatRate(g.responseRate) })));
    root.append(rate);
  });
  xLabels(root, groups, group, margin.left, band, y(0));
  ui.responsesChart.replaceChildren(root);
  ui.responsesLegend.replaceChildren(legendItem(INVITED_COLOR, t("legendInvited")), legendItem(RESPONSES_COLOR, t("legendResponses")));
}

function legendItem(color, label) {
  const item = el("li", "legend-item");
  const swatch = svg("svg", { viewBox: "0 0 12 12", width: 12, height: 12, class: "swatch", focusable: "false" });
  swatch.append(svg("rect", { x: 0, y: 0, width: 12, height: 12, rx: 2, fill: color }));
  item.append(swatch, el("span", "", label));
  return item;
}

function renderDocuments(documents) {
  const list = documents.filter((d) => d && typeof d === "object");
  ui.documentsNone.hidden = list.length > 0;
  ui.documents.replaceChildren(
    ...list.map((d) => {
      const item = el("li", "bar-row");
      item.dataset.document = String(d.document || "");
      const share = isNumber(d.helpfulShare) ? d.helpfulShare : isNumber(d.ratings) && d.ratings > 0 ? (Number(d.helpful) || 0) / d.ratings : null;
      item.dataset.value = share === null ? "" : String(share);
      const name = el("span", "bar-name", d.title || d.document || "");
      if (d.title && d.document) name.title = String(d.document);
      const track = el("span", "bar-track");
      track.setAttribute("aria-hidden", "true");
      const fill = el("span", "bar-fill");
      fill.style.width = `${Math.round(Math.max(0, Math.min(1, share || 0)) * 1000) / 10}%`;
      track.append(fill);
      const figure = el("span", "bar-figure", t("documentRow", { helpful: formatCount(d.helpful), ratings: formatCount(d.ratings), share: formatRate(share) }));
      item.append(name, track, figure);
      return item;
    }),
  );
}

function renderGaps(gaps) {
  const list = gaps.filter((g) => g && typeof g === "object");
  ui.gapsNone.hidden = list.length > 0;
  ui.gaps.replaceChildren(
    ...list.map((g) => {
      const item = el("li", "gap-item");
      item.dataset.count = isNumber(g.count) ? String(g.count) : "";
      item.append(el("span", "gap-question", g.question || ""));
      const count = el("span", "gap-count", g.count === 1 ? t("gapOnce") : t("gapCount", { count: formatCount(g.count) }));
      item.append(" ", count);
      const documents = Array.isArray(g.documents) ? g.documents.map((d) => (d && typeof d === "object" ? d.title || d.document || d.id : d)).filter(Boolean) : [];
      if (documents.length) item.append(el("span", "gap-documents", t("gapDocuments", { list: documents.join(", ") })));
      return item;
    }),
  );
}

start();
