// The survey after a meeting: /survey#INVITE_CODE (docs: spec of issue 19, "Survey").
// `GET /v1/survey` with the invite code gives the questions in the invite's language; the
// page asks them (1–5 scales as radio groups, the text question as a text box) and sends
// `POST /v1/survey` {"answers": {id: 1..5 | "text"}}. Every text from the server is
// inserted with textContent, never as HTML.
import { applyStrings, format, initialLanguage, isLanguage } from "/lang.js";

const NB = "\u00a0";

const STRINGS = {
  en: {
    pageTitle: "Meeting survey",
    brandSub: "Virtual investor meeting",
    loading: "Loading the survey…",
    title: "How did the meeting go?",
    intro:
      "Thank you for meeting the Quảng Ninh Investment Promotion and Support Agency. Your answers help us prepare better meetings; the survey takes about two minutes.",
    validUntil: "You can answer until {date}.",
    scaleLow: "Poor",
    scaleHigh: "Excellent",
    textHint: "Optional · up to 2,000 characters",
    submit: "Send my answers",
    sending: "Sending…",
    needOne: "Please answer at least one question before sending.",
    thanksTitle: "Thank you!",
    thanksText: "Your answers have been received. The agency thanks you for your time.",
    alreadyTitle: "You have already answered this survey",
    alreadyText: "Your answers were received earlier. Thank you!",
    notYetTitle: "The survey is not open yet",
    notYetText: "The survey opens once the meeting has ended. Please use this link again after the meeting.",
    expiredTitle: "This survey link has expired",
    expiredText: "The time for answering this survey has passed. Thank you for your interest.",
    invalidTitle: "This survey link does not work",
    invalidText:
      "The link is not valid, or no longer valid. Please open the complete link you received from the agency.",
    errorTitle: "The survey could not be loaded",
    errorText: "The server could not be reached. Please check your connection and try again.",
    sendFailed: "Your answers were not sent: {detail}",
    retry: "Try again",
    home: "Home page",
    noAccessTitle: "This survey is not available to you",
    noAccessText: "The survey is for the investors who took part in the meeting. If you think this is a mistake, please contact the agency.",
  },
  vi: {
    pageTitle: "Phiếu khảo sát sau buổi làm việc",
    brandSub: "Buổi làm việc trực tuyến với nhà đầu tư",
    loading: "Đang tải phiếu khảo sát…",
    title: "Quý vị đánh giá thế nào về buổi làm việc?",
    intro:
      "Cảm ơn Quý vị đã làm việc với Ban Xúc tiến và Hỗ trợ đầu tư tỉnh Quảng Ninh. Ý kiến của Quý vị sẽ giúp Ban chuẩn bị các buổi làm việc tốt hơn; phiếu khảo sát chỉ mất khoảng hai phút.",
    validUntil: "Quý vị có thể gửi ý kiến đến ngày {date}.",
    scaleLow: "Chưa tốt",
    scaleHigh: "Rất tốt",
    textHint: "Không bắt buộc · tối đa 2.000 ký tự",
    submit: "Gửi ý kiến",
    sending: "Đang gửi…",
    needOne: "Xin vui lòng trả lời ít nhất một câu hỏi trước khi gửi.",
    thanksTitle: "Xin cảm ơn Quý vị!",
    thanksText: "Ban đã nhận được ý kiến của Quý vị. Xin trân trọng cảm ơn Quý vị đã dành thời gian.",
    alreadyTitle: "Quý vị đã trả lời phiếu khảo sát này",
    alreadyText: "Ban đã nhận được ý kiến của Quý vị trước đó. Xin cảm ơn Quý vị!",
    notYetTitle: "Phiếu khảo sát chưa mở",
    notYetText:
      "Phiếu khảo sát sẽ mở sau khi buổi làm việc kết thúc. Xin vui lòng mở lại đường liên kết này sau buổi làm việc.",
    expiredTitle: "Đường liên kết khảo sát đã hết hạn",
    expiredText: "Thời hạn trả lời phiếu khảo sát này đã kết thúc. Xin cảm ơn Quý vị đã quan tâm.",
    invalidTitle: "Đường liên kết khảo sát không sử dụng được",
    invalidText:
      "Đường liên kết không hợp lệ hoặc không còn hiệu lực. Xin vui lòng mở đầy đủ đường liên kết Quý vị nhận được từ Ban.",
    errorTitle: "Chưa tải được phiếu khảo sát",
    errorText: "Không kết nối được với máy chủ. Xin vui lòng kiểm tra kết nối mạng và thử lại.",
    sendFailed: "Chưa gửi được ý kiến: {detail}",
    retry: "Thử lại",
    home: "Trang chủ",
    noAccessTitle: "Phiếu khảo sát này không dành cho Quý vị",
    noAccessText: "Phiếu khảo sát dành cho các nhà đầu tư đã tham gia buổi làm việc. Nếu cho rằng có nhầm lẫn, xin vui lòng liên hệ với Ban.",
  },
  fr: {
    pageTitle: "Questionnaire sur l’entretien",
    brandSub: "Entretien virtuel avec les investisseurs",
    loading: "Chargement du questionnaire…",
    title: `Comment s’est passé l’entretien${NB}?`,
    intro: `Merci d’avoir pris part à cet entretien avec l’Agence de promotion et de soutien à l’investissement de Quảng Ninh. Vos réponses nous aideront à mieux préparer nos entretiens${NB}; le questionnaire prend environ deux minutes.`,
    validUntil: "Vous pouvez répondre jusqu’au {date}.",
    scaleLow: "Insuffisant",
    scaleHigh: "Excellent",
    textHint: `Facultatif · 2${NB}000 caractères au maximum`,
    submit: "Envoyer mes réponses",
    sending: "Envoi…",
    needOne: "Veuillez répondre à au moins une question avant l’envoi.",
    thanksTitle: `Merci${NB}!`,
    thanksText: "Vos réponses ont bien été reçues. L’agence vous remercie du temps que vous lui avez consacré.",
    alreadyTitle: "Vous avez déjà répondu à ce questionnaire",
    alreadyText: `Vos réponses nous sont déjà parvenues. Merci${NB}!`,
    notYetTitle: "Le questionnaire n’est pas encore ouvert",
    notYetText: "Le questionnaire sera accessible à la fin de l’entretien. Veuillez rouvrir ce lien une fois l’entretien terminé.",
    expiredTitle: "Ce lien vers le questionnaire a expiré",
    expiredText: "Le délai pour répondre à ce questionnaire est passé. Merci de votre intérêt.",
    invalidTitle: "Ce lien vers le questionnaire ne fonctionne pas",
    invalidText: "Le lien n’est pas valide, ou ne l’est plus. Veuillez ouvrir le lien complet que l’agence vous a envoyé.",
    errorTitle: "Le questionnaire n’a pas pu être chargé",
    errorText: "Le serveur est injoignable. Veuillez vérifier votre connexion et réessayer.",
    sendFailed: `Vos réponses n’ont pas été envoyées${NB}: {detail}`,
    retry: "Réessayer",
    home: "Page d’accueil",
    noAccessTitle: "Ce questionnaire ne vous est pas accessible",
    noAccessText: "Le questionnaire s’adresse aux investisseurs qui ont pris part à l’entretien. Si vous pensez qu’il s’agit d’une erreur, veuillez contacter l’agence.",
  },
  ja: {
    pageTitle: "面談アンケート",
    brandSub: "オンライン投資家面談",
    loading: "アンケートを読み込んでいます…",
    title: "面談はいかがでしたか？",
    intro:
      "クアンニン省投資促進・支援局との面談にご参加いただき、誠にありがとうございました。今後の面談をより良いものにするため、アンケートへのご協力をお願いいたします（所要時間は約2分です）。",
    validUntil: "{date}までご回答いただけます。",
    scaleLow: "非常に不満",
    scaleHigh: "非常に満足",
    textHint: "任意・2,000文字以内",
    submit: "回答を送信",
    sending: "送信しています…",
    needOne: "送信する前に、少なくとも1つの質問にお答えください。",
    thanksTitle: "ありがとうございました",
    thanksText: "ご回答を受け付けました。お忙しいところご協力いただき、誠にありがとうございました。",
    alreadyTitle: "このアンケートには回答済みです",
    alreadyText: "ご回答はすでに受け付けております。ご協力ありがとうございました。",
    notYetTitle: "アンケートはまだ開始されていません",
    notYetText: "アンケートには面談の終了後にご回答いただけます。面談終了後に、改めてこのリンクを開いてください。",
    expiredTitle: "このアンケートのリンクは有効期限が切れています",
    expiredText: "このアンケートの回答期間は終了しました。ご関心をお寄せいただき、ありがとうございました。",
    invalidTitle: "このアンケートのリンクは使用できません",
    invalidText: "リンクが無効か、有効期限が切れています。当局からお送りしたリンクを省略せずに開いてください。",
    errorTitle: "アンケートを読み込めませんでした",
    errorText: "サーバーに接続できませんでした。接続をご確認のうえ、もう一度お試しください。",
    sendFailed: "回答を送信できませんでした：{detail}",
    retry: "再試行",
    home: "トップページ",
    noAccessTitle: "このアンケートにはご回答いただけません",
    noAccessText: "このアンケートは、面談にご参加いただいた投資家の方を対象としています。お心当たりがない場合は、当局までお問い合わせください。",
  },
  ko: {
    pageTitle: "상담 설문",
    brandSub: "온라인 투자자 상담",
    loading: "설문을 불러오는 중…",
    title: "상담은 어떠셨습니까?",
    intro:
      "꽝닌성 투자촉진지원청과의 상담에 참여해 주셔서 감사합니다. 보내 주신 응답은 더 나은 상담을 준비하는 데 소중히 활용됩니다. 설문에는 약 2분이 소요됩니다.",
    validUntil: "{date}까지 응답하실 수 있습니다.",
    scaleLow: "미흡",
    scaleHigh: "매우 우수",
    textHint: "선택 사항 · 최대 2,000자",
    submit: "응답 보내기",
    sending: "보내는 중…",
    needOne: "보내시기 전에 질문에 하나 이상 답해 주세요.",
    thanksTitle: "감사합니다",
    thanksText: "응답이 접수되었습니다. 귀한 시간을 내 주셔서 감사합니다.",
    alreadyTitle: "이미 응답하신 설문입니다",
    alreadyText: "보내 주신 응답은 이미 접수되었습니다. 감사합니다.",
    notYetTitle: "설문이 아직 열리지 않았습니다",
    notYetText: "설문은 상담이 끝난 후에 열립니다. 상담이 끝난 뒤 이 링크를 다시 열어 주세요.",
    expiredTitle: "설문 링크가 만료되었습니다",
    expiredText: "이 설문의 응답 기간이 끝났습니다. 관심을 가져 주셔서 감사합니다.",
    invalidTitle: "설문 링크를 사용할 수 없습니다",
    invalidText: "링크가 올바르지 않거나 더 이상 유효하지 않습니다. 기관에서 보내 드린 링크 전체를 열어 주세요.",
    errorTitle: "설문을 불러오지 못했습니다",
    errorText: "서버에 연결할 수 없습니다. 인터넷 연결을 확인하신 후 다시 시도해 주세요.",
    sendFailed: "응답을 보내지 못했습니다: {detail}",
    retry: "다시 시도",
    home: "홈페이지",
    noAccessTitle: "이 설문에 응답하실 수 없습니다",
    noAccessText: "이 설문은 상담에 참여하신 투자자를 대상으로 합니다. 착오라고 생각되시면 기관에 문의해 주세요.",
  },
  zh: {
    pageTitle: "会谈问卷",
    brandSub: "线上投资者会谈",
    loading: "正在加载问卷…",
    title: "您对本次会谈有何评价？",
    intro: "感谢您参加与广宁省投资促进与支持局的会谈。您的回答将帮助我们更好地筹备今后的会谈，填写约需两分钟。",
    validUntil: "本问卷的填写截止日期为{date}。",
    scaleLow: "非常不满意",
    scaleHigh: "非常满意",
    textHint: "选填 · 不超过2000字",
    submit: "提交回答",
    sending: "正在提交…",
    needOne: "提交前请至少回答一个问题。",
    thanksTitle: "感谢您的参与！",
    thanksText: "我们已收到您的回答。衷心感谢您抽出宝贵时间。",
    alreadyTitle: "您已填写过本问卷",
    alreadyText: "我们此前已收到您的回答，感谢您的参与！",
    notYetTitle: "问卷尚未开放",
    notYetText: "问卷将在会谈结束后开放，届时请再次打开此链接。",
    expiredTitle: "问卷链接已过期",
    expiredText: "本问卷的填写期限已过。感谢您的关注。",
    invalidTitle: "问卷链接无法使用",
    invalidText: "该链接无效或已失效。请打开本局发送给您的完整链接。",
    errorTitle: "问卷未能加载",
    errorText: "无法连接服务器。请检查网络连接后重试。",
    sendFailed: "回答未能提交：{detail}",
    retry: "重试",
    home: "首页",
    noAccessTitle: "您无法填写本问卷",
    noAccessText: "本问卷仅面向参加本次会谈的投资者。如您认为有误，请与本局联系。",
  },
};

const LOCALES = { vi: "vi-VN", en: "en-GB", fr: "fr-FR", ja: "ja-JP", ko: "ko-KR", zh: "zh-CN" };
const STORAGE_KEY = "ipa.survey";
const TEXT_LIMIT = 2000;

const state = {
  lang: "en",
  code: "",
  survey: null, // GET /v1/survey's answer
  message: null, // { titleKey, textKey, retry } of the message view
  sending: false,
  error: null, // { key, values } of the form's error line
};

const $ = (id) => document.getElementById(id);
const ui = {
  loading: $("view-loading"),
  form: $("view-form"),
  title: $("survey-title"),
  intro: $("survey-intro"),
  meeting: $("survey-meeting"),
  until: $("survey-until"),
  formElement: $("survey-form"),
  questions: $("survey-questions"),
  error: $("survey-error"),
  submit: $("survey-submit"),
  message: $("view-message"),
  messageTitle: $("message-title"),
  messageText: $("message-text"),
  retry: $("message-retry"),
};

function t(key, values) {
  const table = STRINGS[state.lang] || STRINGS.en;
  const template = key in table ? table[key] : STRINGS.en[key] ?? key;
  return values ? format(template, values) : template;
}

function primary(code) {
  return String(code || "").toLowerCase().split("-")[0];
}

function setLanguage(lang) {
  state.lang = isLanguage(lang) ? lang : "en";
  document.documentElement.lang = state.lang;
  applyStrings(document, STRINGS[state.lang]);
  document.title = `${t("pageTitle")} — Quảng Ninh IPA`;
  if (state.message) renderMessage();
  if (state.error) ui.error.textContent = t(state.error.key, state.error.values);
  if (state.sending) ui.submit.textContent = t("sending");
}

// ---------------------------------------------------------------------------
// The invite code: from the address (then out of it), else from this tab's storage.

function readCode() {
  let fromHash = location.hash.replace(/^#/, "");
  try {
    fromHash = decodeURIComponent(fromHash).trim();
  } catch {
    fromHash = fromHash.trim();
  }
  if (fromHash) {
    try {
      sessionStorage.setItem(STORAGE_KEY, fromHash);
      // Keep the code out of the address bar, history and bookmarks (a reload finds it
      // in this tab's storage).
      history.replaceState(history.state, "", location.pathname + location.search);
    } catch {
      // No storage: the code stays in the address, so that a reload still works.
    }
    return fromHash;
  }
  try {
    return sessionStorage.getItem(STORAGE_KEY) || "";
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------------------
// Views

function show(view) {
  ui.loading.hidden = view !== "loading";
  ui.form.hidden = view !== "form";
  ui.message.hidden = view !== "message";
}

function showMessage(titleKey, textKey, retry = false) {
  state.message = { titleKey, textKey, retry };
  renderMessage();
  show("message");
  ui.messageTitle.focus();
}

function renderMessage() {
  const { titleKey, textKey, retry } = state.message;
  ui.message.classList.toggle("error", ["invalidTitle", "errorTitle", "expiredTitle"].includes(titleKey));
  ui.messageTitle.textContent = t(titleKey);
  ui.messageText.textContent = t(textKey);
  ui.retry.hidden = !retry;
}

/** What an HTTP status of the survey routes means to the investor (`message`: the server's,
 *  which tells a meeting not yet ended from an investor who was not in it, both 403). */
function showStatus(status, message = "") {
  if (status === 409) showMessage("alreadyTitle", "alreadyText");
  else if (status === 403 && /ended/i.test(message)) showMessage("notYetTitle", "notYetText");
  else if (status === 403 && message) showMessage("noAccessTitle", "noAccessText");
  else if (status === 403) showMessage("notYetTitle", "notYetText");
  else if (status === 410) showMessage("expiredTitle", "expiredText");
  else if (status === 401 || status === 404) showMessage("invalidTitle", "invalidText");
  else showMessage("errorTitle", "errorText", true);
}

// ---------------------------------------------------------------------------
// Reading the survey

/** The server's `{"error":{"message"}}`, or "" (not JSON: a proxy's page, say). */
async function errorMessage(response) {
  try {
    const body = await response.json();
    return (body && body.error && typeof body.error.message === "string" && body.error.message) || "";
  } catch {
    return "";
  }
}

async function load() {
  state.message = null;
  show("loading");
  if (!state.code) {
    showMessage("invalidTitle", "invalidText");
    return;
  }
  let response;
  try {
    response = await fetch("/v1/survey", {
      headers: { Authorization: `Bearer ${state.code}`, Accept: "application/json" },
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    showMessage("errorTitle", "errorText", true);
    return;
  }
  if (response.status !== 200) {
    showStatus(response.status, await errorMessage(response));
    return;
  }
  let survey = null;
  try {
    survey = await response.json();
  } catch {
    survey = null;
  }
  if (!survey || !Array.isArray(survey.questions)) {
    showMessage("errorTitle", "errorText", true);
    return;
  }
  state.survey = survey;
  // The page speaks the invite's language, as the questions do.
  if (isLanguage(primary(survey.language))) setLanguage(primary(survey.language));
  if (survey.answered === true) {
    showMessage("alreadyTitle", "alreadyText");
    return;
  }
  renderForm();
  show("form");
  ui.title.focus();
}

function renderForm() {
  const survey = state.survey;
  const questionLang = typeof survey.language === "string" ? survey.language : state.lang;
  ui.intro.textContent = typeof survey.intro === "string" && survey.intro.trim() ? survey.intro : t("intro");
  ui.intro.lang = typeof survey.intro === "string" && survey.intro.trim() ? questionLang : state.lang;
  // The meeting it is about, as the agency titled it.
  ui.meeting.textContent = typeof survey.title === "string" ? survey.title : "";
  ui.meeting.hidden = !ui.meeting.textContent;
  const until = survey.validUntil ? new Date(survey.validUntil) : null;
  if (until && !Number.isNaN(until.getTime())) {
    const date = new Intl.DateTimeFormat(LOCALES[state.lang] || "en-GB", { dateStyle: "long" }).format(until);
    ui.until.textContent = t("validUntil", { date });
    ui.until.hidden = false;
  } else {
    ui.until.hidden = true;
  }
  const scale = survey.scale && typeof survey.scale === "object" ? survey.scale : {};
  const low = typeof scale.low === "string" && scale.low ? scale.low : t("scaleLow");
  const high = typeof scale.high === "string" && scale.high ? scale.high : t("scaleHigh");
  const items = [];
  for (const [index, question] of survey.questions.entries()) {
    if (!question || typeof question.id !== "string" || !question.id) continue;
    const text = typeof question.text === "string" ? question.text : question.id;
    if (question.kind === "scale") items.push(scaleQuestion(question.id, text, index, low, high, questionLang));
    else if (question.kind === "text") items.push(textQuestion(question.id, text, index, questionLang));
  }
  ui.questions.replaceChildren(...items);
}

/** A 1–5 scale: a fieldset whose legend is the question, five radios labelled 1 to 5,
 *  the low and high ends written beside them (and read with 1 and 5). */
function scaleQuestion(id, text, index, low, high, lang) {
  const fieldset = document.createElement("fieldset");
  fieldset.className = "survey-question";
  fieldset.dataset.question = id;
  fieldset.dataset.kind = "scale";
  const legend = document.createElement("legend");
  legend.lang = lang;
  legend.textContent = text;
  const ends = document.createElement("div");
  ends.className = "scale-ends";
  ends.setAttribute("aria-hidden", "true");
  const lowEnd = document.createElement("span");
  lowEnd.lang = lang;
  lowEnd.textContent = `1 — ${low}`;
  const highEnd = document.createElement("span");
  highEnd.lang = lang;
  highEnd.textContent = `5 — ${high}`;
  ends.append(lowEnd, highEnd);
  const choices = document.createElement("div");
  choices.className = "scale";
  for (let value = 1; value <= 5; value += 1) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = `q${index}`;
    input.value = String(value);
    input.id = `q${index}-${value}`;
    input.dataset.question = id;
    const choice = document.createElement("span");
    choice.className = "choice";
    choice.textContent = String(value);
    if (value === 1 || value === 5) {
      const end = document.createElement("span");
      end.className = "visually-hidden";
      end.lang = lang;
      end.textContent = ` — ${value === 1 ? low : high}`;
      choice.append(end);
    }
    label.append(input, choice);
    choices.append(label);
  }
  fieldset.append(legend, ends, choices);
  return fieldset;
}

function textQuestion(id, text, index, lang) {
  const field = document.createElement("div");
  field.className = "survey-text";
  field.dataset.question = id;
  field.dataset.kind = "text";
  const label = document.createElement("label");
  label.htmlFor = `q${index}-text`;
  label.lang = lang;
  label.textContent = text;
  const area = document.createElement("textarea");
  area.id = `q${index}-text`;
  area.dataset.question = id;
  area.rows = 4;
  area.maxLength = TEXT_LIMIT;
  const hint = document.createElement("span");
  hint.className = "survey-hint";
  hint.id = `q${index}-hint`;
  hint.dataset.i18n = "textHint";
  hint.textContent = t("textHint");
  area.setAttribute("aria-describedby", hint.id);
  field.append(label, area, hint);
  return field;
}

// ---------------------------------------------------------------------------
// Sending the answers

function collectAnswers() {
  const answers = {};
  for (const input of ui.questions.querySelectorAll("input[type=radio]:checked")) {
    answers[input.dataset.question] = Number(input.value);
  }
  for (const area of ui.questions.querySelectorAll("textarea")) {
    const text = area.value.trim().slice(0, TEXT_LIMIT);
    if (text) answers[area.dataset.question] = text;
  }
  return answers;
}

function setError(key, values) {
  state.error = key ? { key, values } : null;
  ui.error.textContent = key ? t(key, values) : "";
}

async function submit(event) {
  event.preventDefault();
  if (state.sending) return;
  const answers = collectAnswers();
  if (Object.keys(answers).length === 0) {
    setError("needOne");
    ui.questions.querySelector("input, textarea")?.focus();
    return;
  }
  setError(null);
  state.sending = true;
  ui.submit.disabled = true;
  ui.submit.textContent = t("sending");
  let response = null;
  let detail = "";
  try {
    response = await fetch("/v1/survey", {
      method: "POST",
      headers: { Authorization: `Bearer ${state.code}`, Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ answers }),
      cache: "no-store",
      credentials: "omit",
    });
    if (!response.ok) detail = await errorMessage(response);
  } catch {
    response = null;
  } finally {
    state.sending = false;
    ui.submit.disabled = false;
    ui.submit.textContent = t("submit");
  }
  if (response && (response.status === 201 || response.status === 200)) {
    showMessage("thanksTitle", "thanksText");
  } else if (response && [401, 403, 409, 410].includes(response.status)) {
    showStatus(response.status, detail);
  } else {
    const reason = response ? detail || `HTTP ${response.status}` : t("errorText");
    setError("sendFailed", { detail: reason });
    ui.error.focus?.();
  }
}

// ---------------------------------------------------------------------------
// Start

function start() {
  setLanguage(initialLanguage());
  state.code = readCode();
  ui.formElement.addEventListener("submit", submit);
  ui.retry.addEventListener("click", () => load());
  window.addEventListener("hashchange", () => {
    if (location.hash.length > 1) {
      state.code = readCode();
      load();
    }
  });
  load();
}

start();
