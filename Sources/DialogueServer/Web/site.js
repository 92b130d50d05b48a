// Landing page: translations and the language switcher.
import { LANGUAGES, applyStrings, initialLanguage, isLanguage, rememberLanguage } from "/lang.js";

const STRINGS = {
  en: {
    title: "Quảng Ninh IPA — Virtual investor meetings",
    skip: "Skip to content",
    brandSub: "Virtual investor meetings",
    langLabel: "Language",
    agency: "Quảng Ninh Investment Promotion and Support Agency",
    heroTitle: "Meet the Quảng Ninh investment team, wherever you are",
    heroLead:
      "Remote, recorded meetings between foreign investors and officers of the Investment Promotion and Support Agency of Quảng Ninh province — with an AI assistant that answers from the agency’s documents, and a transcript that cannot be altered unnoticed.",
    requestLink: "Request a meeting",
    featuresTitle: "What it offers",
    feat1Title: "Remote meetings, on the record",
    feat1:
      "Talk with agency officers in real time, from your browser. Every meeting is recorded, so both sides keep an accurate account of what was said and agreed.",
    feat2Title: "An AI assistant that cites its sources",
    feat2:
      "An AI assistant can answer factual questions — procedures, incentives, industrial parks, economic zones — from the agency’s own documents, and shows where each answer comes from. Officers can review its answers; decisions are always made by people.",
    feat3Title: "Tamper-evident transcripts",
    feat3:
      "Each transcript is sealed with a chain of cryptographic hashes and a digital signature, so any later change to the record can be detected.",
    whoTitle: "Who it is for",
    investorsTitle: "Foreign investors",
    investors:
      "Join with the personal invite link the agency sent you. The meeting opens in your browser — no account, no app to install. The link admits you to your own meeting only, so please keep it private.",
    step1: "Open the invite link you received.",
    step2: "Choose your language and read the recording notice.",
    step3: "Talk with the officers and ask your questions.",
    staffTitle: "Agency officers and reviewers",
    staff:
      "Officers host the meetings; reviewers read and verify the transcripts. Both use their staff tools, signed in with their personal staff token.",
    status: "Service status",
    consoleLink: "Officer console",
    reviewLink: "Transcript review",
  },
  vi: {
    title: "IPA Quảng Ninh — Gặp gỡ nhà đầu tư trực tuyến",
    skip: "Chuyển đến nội dung",
    brandSub: "Gặp gỡ nhà đầu tư trực tuyến",
    langLabel: "Ngôn ngữ",
    agency: "Ban Xúc tiến và Hỗ trợ đầu tư tỉnh Quảng Ninh",
    heroTitle: "Làm việc với IPA Quảng Ninh, dù Quý vị ở bất cứ đâu",
    heroLead:
      "Các buổi làm việc trực tuyến, có ghi lại, giữa nhà đầu tư nước ngoài và cán bộ Ban Xúc tiến và Hỗ trợ đầu tư tỉnh Quảng Ninh — có trợ lý AI trả lời dựa trên tài liệu của Ban, và biên bản được bảo vệ để mọi chỉnh sửa đều bị phát hiện.",
    requestLink: "Đề nghị tổ chức buổi làm việc",
    featuresTitle: "Dịch vụ mang lại",
    feat1Title: "Làm việc từ xa, ghi lại đầy đủ",
    feat1:
      "Trao đổi trực tiếp với cán bộ của Ban ngay trên trình duyệt. Mỗi buổi làm việc đều được ghi lại, để hai bên cùng nắm chính xác những nội dung đã trao đổi và thống nhất.",
    feat2Title: "Trợ lý AI có trích dẫn nguồn",
    feat2:
      "Trợ lý AI có thể trả lời các câu hỏi về thủ tục, ưu đãi, khu công nghiệp, khu kinh tế… dựa trên chính tài liệu của Ban và chỉ rõ nguồn của từng câu trả lời. Cán bộ có thể kiểm duyệt câu trả lời; mọi quyết định đều do con người đưa ra.",
    feat3Title: "Biên bản chống chỉnh sửa",
    feat3:
      "Mỗi biên bản được niêm phong bằng chuỗi mã băm mật mã và chữ ký số, nhờ đó mọi thay đổi về sau đối với nội dung đều có thể bị phát hiện.",
    whoTitle: "Dành cho ai",
    investorsTitle: "Nhà đầu tư nước ngoài",
    investors:
      "Quý vị tham gia bằng đường liên kết mời riêng mà Ban đã gửi. Buổi làm việc mở ngay trên trình duyệt — không cần tài khoản, không cần cài ứng dụng. Đường liên kết chỉ dùng cho buổi làm việc của Quý vị, xin vui lòng không chia sẻ.",
    step1: "Mở đường liên kết mời Quý vị đã nhận được.",
    step2: "Chọn ngôn ngữ và đọc thông báo về việc ghi lại cuộc trao đổi.",
    step3: "Trao đổi với cán bộ và đặt câu hỏi.",
    staffTitle: "Cán bộ chủ trì và cán bộ rà soát",
    staff:
      "Cán bộ chủ trì các buổi làm việc; cán bộ rà soát đọc và kiểm tra biên bản. Cả hai sử dụng công cụ nội bộ, đăng nhập bằng mã truy cập cá nhân.",
    status: "Tình trạng dịch vụ",
    consoleLink: "Bàn điều hành của cán bộ",
    reviewLink: "Rà soát biên bản",
  },
  fr: {
    title: "IPA Quảng Ninh — Rencontres virtuelles avec les investisseurs",
    skip: "Aller au contenu",
    brandSub: "Rencontres virtuelles avec les investisseurs",
    langLabel: "Langue",
    agency: "Agence de promotion et de soutien à l’investissement de Quảng Ninh",
    heroTitle: "Échangez avec l’équipe d’investissement de Quảng Ninh, où que vous soyez",
    heroLead:
      "Des entretiens à distance et enregistrés entre investisseurs étrangers et conseillers de l’Agence de promotion et de soutien à l’investissement de la province de Quảng Ninh — avec un assistant d’IA qui répond à partir des documents de l’agence, et une transcription dont toute modification serait détectée.",
    requestLink: "Demander un entretien",
    featuresTitle: "Ce que propose le service",
    feat1Title: "Des entretiens à distance, enregistrés",
    feat1:
      "Échangez en temps réel avec les conseillers de l’agence, directement depuis votre navigateur. Chaque entretien est enregistré : les deux parties disposent d’un compte rendu fidèle de ce qui a été dit et convenu.",
    feat2Title: "Un assistant d’IA qui cite ses sources",
    feat2:
      "Un assistant d’IA peut répondre aux questions factuelles — démarches, incitations, zones industrielles, zones économiques — à partir des documents de l’agence, en indiquant d’où vient chaque réponse. Les conseillers peuvent vérifier ses réponses ; les décisions sont toujours prises par des personnes.",
    feat3Title: "Des transcriptions scellées",
    feat3:
      "Chaque transcription est scellée par une chaîne d’empreintes cryptographiques et une signature numérique : toute modification ultérieure peut être détectée.",
    whoTitle: "À qui s’adresse le service",
    investorsTitle: "Investisseurs étrangers",
    investors:
      "Rejoignez l’entretien grâce au lien d’invitation personnel que l’agence vous a envoyé. Il s’ouvre dans votre navigateur, sans compte ni application à installer. Ce lien ne donne accès qu’à votre propre entretien : merci de ne pas le partager.",
    step1: "Ouvrez le lien d’invitation que vous avez reçu.",
    step2: "Choisissez votre langue et lisez l’avis relatif à l’enregistrement.",
    step3: "Échangez avec les conseillers et posez vos questions.",
    staffTitle: "Conseillers et vérificateurs de l’agence",
    staff:
      "Les conseillers animent les entretiens ; les vérificateurs relisent et contrôlent les transcriptions. Les uns comme les autres utilisent leurs outils internes, avec leur jeton d’accès personnel.",
    status: "État du service",
    consoleLink: "Console des conseillers",
    reviewLink: "Relecture des transcriptions",
  },
  ja: {
    title: "IPAクアンニン — オンライン投資家面談",
    skip: "本文へ移動",
    brandSub: "オンライン投資家面談",
    langLabel: "言語",
    agency: "クアンニン省投資促進・支援局",
    heroTitle: "どこからでも、クアンニン省の投資担当者と面談できます",
    heroLead:
      "海外の投資家の皆さまとクアンニン省投資促進・支援局の担当職員をつなぐ、記録付きのオンライン面談です。当局の資料に基づいて回答するAIアシスタントと、改ざんを検知できる面談記録を備えています。",
    requestLink: "面談のお申し込み",
    featuresTitle: "主な特長",
    feat1Title: "オンラインで、記録に残る面談",
    feat1:
      "ブラウザから当局の担当職員とリアルタイムでやり取りできます。面談はすべて記録されるため、話し合った内容や合意事項を双方が正確に確認できます。",
    feat2Title: "出典を示すAIアシスタント",
    feat2:
      "手続き、優遇措置、工業団地、経済区などに関するご質問に、AIアシスタントが当局の資料に基づいて回答し、各回答の出典を示します。回答は担当職員が確認でき、判断は常に人が行います。",
    feat3Title: "改ざんを検知できる面談記録",
    feat3: "各記録は暗号学的ハッシュの連鎖と電子署名で封印されており、後から内容が変更されれば検知できます。",
    whoTitle: "ご利用いただく方",
    investorsTitle: "海外の投資家の皆さま",
    investors:
      "当局からお送りした個人用の招待リンクからご参加ください。面談はブラウザで開き、アカウント登録やアプリのインストールは不要です。リンクはご自身の面談専用ですので、他の方と共有しないでください。",
    step1: "受け取った招待リンクを開きます。",
    step2: "言語を選び、記録に関するお知らせをお読みください。",
    step3: "担当職員とやり取りし、ご質問ください。",
    staffTitle: "当局の担当職員・確認担当者",
    staff:
      "担当職員は面談を主催し、確認担当者は面談記録を閲覧・検証します。いずれも個人用のスタッフトークンで職員用ツールにサインインして利用します。",
    status: "サービスの稼働状況",
    consoleLink: "職員コンソール",
    reviewLink: "面談記録の確認",
  },
  ko: {
    title: "IPA 꽝닌 — 온라인 투자자 상담",
    skip: "본문으로 건너뛰기",
    brandSub: "온라인 투자자 상담",
    langLabel: "언어",
    agency: "꽝닌성 투자촉진지원청",
    heroTitle: "어디서든 꽝닌성 투자 담당자와 상담하세요",
    heroLead:
      "해외 투자자와 꽝닌성 투자촉진지원청 담당 직원이 온라인으로 만나는, 기록이 남는 상담입니다. 기관 자료를 근거로 답변하는 AI 비서와 위변조 여부를 확인할 수 있는 대화록을 제공합니다.",
    requestLink: "상담 신청",
    featuresTitle: "주요 특징",
    feat1Title: "원격으로, 기록이 남는 상담",
    feat1:
      "브라우저에서 기관 담당 직원과 실시간으로 대화할 수 있습니다. 모든 상담은 기록되므로 양측 모두 논의하고 합의한 내용을 정확히 확인할 수 있습니다.",
    feat2Title: "출처를 밝히는 AI 비서",
    feat2:
      "AI 비서가 절차, 인센티브, 산업단지, 경제구역 등에 관한 질문에 기관 자료를 근거로 답변하고 각 답변의 출처를 보여 줍니다. 담당 직원이 답변을 검토할 수 있으며, 결정은 언제나 사람이 내립니다.",
    feat3Title: "위변조를 확인할 수 있는 대화록",
    feat3: "각 대화록은 암호학적 해시 체인과 전자 서명으로 봉인되어, 이후 내용이 변경되면 이를 확인할 수 있습니다.",
    whoTitle: "이용 대상",
    investorsTitle: "해외 투자자",
    investors:
      "기관에서 보내 드린 개인 초대 링크로 참여하세요. 상담은 브라우저에서 바로 열리며 계정이나 앱 설치가 필요 없습니다. 링크는 본인의 상담에만 사용할 수 있으니 다른 사람과 공유하지 마세요.",
    step1: "받으신 초대 링크를 엽니다.",
    step2: "언어를 선택하고 기록 관련 안내를 읽습니다.",
    step3: "담당 직원과 대화하며 궁금한 점을 질문합니다.",
    staffTitle: "기관 담당 직원 및 검토자",
    staff:
      "담당 직원은 상담을 진행하고, 검토자는 대화록을 열람·검증합니다. 모두 개인 직원 토큰으로 직원용 도구에 로그인해 이용합니다.",
    status: "서비스 상태",
    consoleLink: "직원 콘솔",
    reviewLink: "대화록 검토",
  },
  zh: {
    title: "广宁省IPA — 线上投资者会谈",
    skip: "跳至正文",
    brandSub: "线上投资者会谈",
    langLabel: "语言",
    agency: "广宁省投资促进与支持局",
    heroTitle: "无论身在何处，都能与广宁省投资团队会谈",
    heroLead:
      "外国投资者与广宁省投资促进与支持局工作人员之间的远程会谈，全程记录。AI助理依据本局文件作答，会谈记录一经篡改即可被发现。",
    requestLink: "申请会谈",
    featuresTitle: "服务特点",
    feat1Title: "远程会谈，全程记录",
    feat1: "在浏览器中即可与本局工作人员实时交流。每次会谈均被记录，双方都能准确掌握所谈及和商定的内容。",
    feat2Title: "注明出处的AI助理",
    feat2:
      "AI助理可依据本局文件，回答有关办理手续、优惠政策、工业园区、经济区等方面的问题，并注明每条回答的出处。工作人员可以审核其回答，一切决定始终由人作出。",
    feat3Title: "可检验篡改的会谈记录",
    feat3: "每份记录都以密码学哈希链和数字签名封存，日后对内容的任何改动都能被发现。",
    whoTitle: "适用对象",
    investorsTitle: "外国投资者",
    investors:
      "请通过本局发送给您的专属邀请链接加入。会谈直接在浏览器中打开，无需注册账号，也无需安装应用。该链接仅用于您本人的会谈，请勿转发他人。",
    step1: "打开您收到的邀请链接。",
    step2: "选择语言，并阅读关于会谈记录的说明。",
    step3: "与工作人员交流，提出您的问题。",
    staffTitle: "本局工作人员与审阅人员",
    staff: "工作人员主持会谈，审阅人员查阅并核验会谈记录；双方均使用个人员工令牌登录内部工具。",
    status: "服务状态",
    consoleLink: "工作人员控制台",
    reviewLink: "会谈记录审阅",
  },
};

const switcher = document.getElementById("lang-switch");

function show(language) {
  const strings = STRINGS[language] || STRINGS.en;
  document.documentElement.lang = language;
  document.title = strings.title;
  applyStrings(document, strings);
  for (const button of switcher.querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.value === language));
  }
}

for (const [code, name] of LANGUAGES) {
  const button = document.createElement("button");
  button.type = "button";
  button.value = code;
  button.lang = code;
  button.textContent = name;
  button.addEventListener("click", () => {
    rememberLanguage(code);
    show(code);
  });
  switcher.append(button);
}

const requested = new URLSearchParams(location.search).get("lang");
show(isLanguage(requested) ? requested : initialLanguage());
