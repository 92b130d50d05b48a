// The public meeting-request form (/request): six languages, the investor's time zone, one
// to three proposed times, sent to POST /v1/requests. Every text from the server is put in
// with textContent.
import { applyStrings, fillLanguageSelect, initialLanguage, isLanguage, rememberLanguage } from "/lang.js";
import { wallTimeToUTC } from "/zones.js";

const STRINGS = {
  en: {
    brandSub: "Virtual investor meeting", languageLabel: "Language", title: "Request a meeting",
    intro: "Propose up to three times for an online meeting with the agency. An officer will reply by e-mail.",
    name: "Your name", organisation: "Company or organisation", email: "E-mail address", topic: "Topic",
    topicDesks: "Agency desks", topicZones: "Economic zones and industrial parks",
    zone: "Your time zone", slots: "Proposed times (in your time zone; one to three)", slot1: "First choice",
    slot2: "Second choice", slot3: "Third choice", message: "Your project and your questions", submit: "Send the request",
    doneTitle: "Thank you",
    doneText: "We have received your request. You will receive an acknowledgement by e-mail, then an invitation or an answer from an officer.",
    home: "Home page", errorNeedSlot: "Please propose at least one time.",
    errorNetwork: "The request could not be sent. Please check your connection and try again.",
    errorRate: "Too many requests were sent from your network. Please try again in an hour.",
    errorGeneric: "The request was refused: {detail}",
  },
  vi: {
    brandSub: "Buổi làm việc trực tuyến với nhà đầu tư", languageLabel: "Ngôn ngữ", title: "Đề nghị tổ chức buổi làm việc",
    intro: "Quý vị có thể đề xuất tối đa ba thời điểm cho buổi làm việc trực tuyến với Ban Xúc tiến và Hỗ trợ đầu tư tỉnh Quảng Ninh. Cán bộ của Ban sẽ trả lời Quý vị qua thư điện tử.",
    name: "Họ và tên", organisation: "Công ty hoặc tổ chức", email: "Địa chỉ thư điện tử", topic: "Nội dung cần trao đổi",
    topicDesks: "Các bộ phận của Ban", topicZones: "Khu kinh tế và khu công nghiệp",
    zone: "Múi giờ của Quý vị", slots: "Thời điểm đề xuất (theo múi giờ của Quý vị; từ một đến ba)", slot1: "Lựa chọn thứ nhất",
    slot2: "Lựa chọn thứ hai", slot3: "Lựa chọn thứ ba", message: "Dự án và câu hỏi của Quý vị", submit: "Gửi đề nghị",
    doneTitle: "Xin cảm ơn Quý vị",
    doneText: "Chúng tôi đã nhận được đề nghị của Quý vị. Quý vị sẽ nhận được thư xác nhận, sau đó là thư mời hoặc thư trả lời của cán bộ.",
    home: "Trang chủ", errorNeedSlot: "Xin vui lòng đề xuất ít nhất một thời điểm.",
    errorNetwork: "Không gửi được đề nghị. Xin vui lòng kiểm tra kết nối và thử lại.",
    errorRate: "Có quá nhiều đề nghị được gửi từ mạng của Quý vị. Xin vui lòng thử lại sau một giờ.",
    errorGeneric: "Đề nghị chưa được chấp nhận: {detail}",
  },
  fr: {
    brandSub: "Entretien virtuel avec les investisseurs", languageLabel: "Langue", title: "Demander un entretien",
    intro: "Proposez jusqu’à trois créneaux pour un entretien en ligne avec l’agence. Un conseiller vous répondra par courriel.",
    name: "Vos nom et prénom", organisation: "Entreprise ou organisation", email: "Adresse électronique", topic: "Sujet",
    topicDesks: "Services de l’agence", topicZones: "Zones économiques et parcs industriels",
    zone: "Votre fuseau horaire", slots: "Créneaux proposés (dans votre fuseau horaire\u00a0; un à trois)", slot1: "Premier choix",
    slot2: "Deuxième choix", slot3: "Troisième choix", message: "Votre projet et vos questions", submit: "Envoyer la demande",
    doneTitle: "Merci",
    doneText: "Nous avons bien reçu votre demande. Vous recevrez un accusé de réception par courriel, puis une invitation ou une réponse d’un conseiller.",
    home: "Page d’accueil", errorNeedSlot: "Veuillez proposer au moins un créneau.",
    errorNetwork: "La demande n’a pas pu être envoyée. Vérifiez votre connexion et réessayez.",
    errorRate: "Trop de demandes ont été envoyées depuis votre réseau. Veuillez réessayer dans une heure.",
    errorGeneric: "La demande a été refusée\u00a0: {detail}",
  },
  ja: {
    brandSub: "オンライン投資家面談", languageLabel: "言語", title: "面談のお申し込み",
    intro: "当局とのオンライン面談の希望日時を3つまでご提案ください。担当職員よりメールでご連絡いたします。",
    name: "お名前", organisation: "会社名・団体名", email: "メールアドレス", topic: "ご相談内容",
    topicDesks: "当局の相談窓口", topicZones: "経済区・工業団地",
    zone: "お客様のタイムゾーン", slots: "希望日時（お客様のタイムゾーンで1～3件）", slot1: "第1希望",
    slot2: "第2希望", slot3: "第3希望", message: "プロジェクトの概要とご質問", submit: "申し込む",
    doneTitle: "お申し込みありがとうございます",
    doneText: "お申し込みを受け付けました。確認のメールをお送りしたのち、担当職員よりご招待または回答をお送りいたします。",
    home: "トップページ", errorNeedSlot: "希望日時を1件以上ご入力ください。",
    errorNetwork: "送信できませんでした。接続をご確認のうえ、もう一度お試しください。",
    errorRate: "お使いのネットワークからの申し込みが多すぎます。1時間後に改めてお試しください。",
    errorGeneric: "お申し込みを受け付けられませんでした：{detail}",
  },
  ko: {
    brandSub: "온라인 투자자 상담", languageLabel: "언어", title: "상담 신청",
    intro: "기관과의 온라인 상담 희망 일시를 최대 세 개까지 제안해 주세요. 담당 직원이 이메일로 답변드립니다.",
    name: "성명", organisation: "회사 또는 기관명", email: "이메일 주소", topic: "상담 분야",
    topicDesks: "기관 담당 창구", topicZones: "경제구역 및 산업단지",
    zone: "귀하의 시간대", slots: "희망 일시(귀하의 시간대 기준, 1~3개)", slot1: "1순위",
    slot2: "2순위", slot3: "3순위", message: "프로젝트 개요 및 문의 사항", submit: "신청하기",
    doneTitle: "감사합니다",
    doneText: "신청이 접수되었습니다. 접수 확인 메일을 보내 드린 후, 담당 직원이 초대장 또는 답변을 보내 드립니다.",
    home: "홈페이지", errorNeedSlot: "희망 일시를 하나 이상 입력해 주세요.",
    errorNetwork: "신청을 보내지 못했습니다. 연결 상태를 확인한 후 다시 시도해 주세요.",
    errorRate: "사용 중인 네트워크에서 신청이 너무 많이 접수되었습니다. 1시간 후에 다시 시도해 주세요.",
    errorGeneric: "신청이 접수되지 않았습니다: {detail}",
  },
  zh: {
    brandSub: "线上投资者会谈", languageLabel: "语言", title: "申请会谈",
    intro: "请提出最多三个您方便的时间，以便与本局进行线上会谈。工作人员将通过电子邮件答复您。",
    name: "姓名", organisation: "公司或机构名称", email: "电子邮箱", topic: "咨询事项",
    topicDesks: "本局咨询窗口", topicZones: "经济区和工业园区",
    zone: "您所在的时区", slots: "建议时间（按您所在时区，一至三个）", slot1: "第一选择",
    slot2: "第二选择", slot3: "第三选择", message: "项目概况及您的问题", submit: "提交申请",
    doneTitle: "感谢您的申请",
    doneText: "我们已收到您的申请。您将先收到确认邮件，随后收到工作人员发出的邀请或答复。",
    home: "首页", errorNeedSlot: "请至少提出一个时间。",
    errorNetwork: "申请未能发送。请检查网络连接后重试。",
    errorRate: "您所在网络提交的申请过多。请一小时后再试。",
    errorGeneric: "申请未被接受：{detail}",
  },
};

const state = { lang: "en", topics: [] };
const ui = {};

function t(key, values = {}) {
  const table = STRINGS[state.lang] || STRINGS.en;
  let text = table[key] ?? STRINGS.en[key] ?? key;
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

function fillZones() {
  const guess = Intl.DateTimeFormat().resolvedOptions().timeZone || "Asia/Ho_Chi_Minh";
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [guess, "UTC"];
  if (!zones.includes(guess)) zones.unshift(guess);
  ui.zone.replaceChildren(
    ...zones.map((zone) => {
      const option = document.createElement("option");
      option.value = zone;
      option.textContent = zone;
      option.selected = zone === guess;
      return option;
    }),
  );
}

/** The topics in two groups, the agency's desks then its zones (a server without zones
 *  lists desks only, ungrouped). */
function renderTopics() {
  const current = ui.topic.value;
  const option = (topic) => {
    const element = document.createElement("option");
    element.value = topic.id;
    element.textContent = (topic.names && (topic.names[state.lang] || topic.names.en)) || topic.id;
    return element;
  };
  const zones = state.topics.filter((topic) => topic.kind === "zone");
  if (!zones.length) {
    ui.topic.replaceChildren(...state.topics.map(option));
  } else {
    const group = (key, topics) => {
      const element = document.createElement("optgroup");
      element.label = t(key);
      element.append(...topics.map(option));
      return element;
    };
    ui.topic.replaceChildren(
      group("topicDesks", state.topics.filter((topic) => topic.kind !== "zone")),
      group("topicZones", zones),
    );
  }
  if (current) ui.topic.value = current;
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  applyStrings(document, STRINGS[state.lang] || STRINGS.en);
  document.title = `${t("title")} — Quảng Ninh IPA`;
  renderTopics();
}

function showError(text) {
  ui.formError.textContent = text;
  ui.formError.hidden = !text;
}

async function submit(event) {
  event.preventDefault();
  showError("");
  const zone = ui.zone.value;
  const slots = [0, 1, 2].map((i) => ui[`slot${i}`].value).filter(Boolean).map((v) => wallTimeToUTC(v, zone)).filter(Boolean);
  if (slots.length === 0) {
    showError(t("errorNeedSlot"));
    ui.slot0.focus();
    return;
  }
  const body = {
    name: ui.name.value, organisation: ui.organisation.value, email: ui.email.value, language: state.lang,
    timeZone: zone, topic: ui.topic.value, slots, message: ui.message.value, website: ui.website.value,
  };
  ui.submit.disabled = true;
  try {
    const response = await fetch("/v1/requests", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (response.status === 201) {
      ui.viewForm.hidden = true;
      ui.viewDone.hidden = false;
      ui.doneTitle.focus();
      return;
    }
    if (response.status === 429) {
      showError(t("errorRate"));
      return;
    }
    let detail = String(response.status);
    try {
      const js = await response.json();
      if (js && js.error && js.error.message) detail = js.error.message;
    } catch {
      // not JSON: the status says enough
    }
    showError(t("errorGeneric", { detail }));
  } catch {
    showError(t("errorNetwork"));
  } finally {
    ui.submit.disabled = false;
  }
}

async function start() {
  for (const id of ["lang", "request-form", "name", "organisation", "email", "topic", "zone", "slot-0", "slot-1", "slot-2",
    "message", "website", "form-error", "submit", "view-form", "view-done", "done-title"]) {
    ui[id.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = document.getElementById(id);
  }
  state.lang = initialLanguage();
  fillLanguageSelect(ui.lang, state.lang);
  ui.lang.addEventListener("change", () => {
    if (!isLanguage(ui.lang.value)) return;
    state.lang = ui.lang.value;
    rememberLanguage(state.lang);
    applyLanguage();
  });
  fillZones();
  ui.requestForm.addEventListener("submit", submit);
  applyLanguage();
  try {
    const response = await fetch("/v1/requests/topics");
    const js = await response.json();
    state.topics = Array.isArray(js.topics) ? js.topics : [];
  } catch {
    state.topics = [];
  }
  renderTopics();
}

if (typeof document !== "undefined") start();
