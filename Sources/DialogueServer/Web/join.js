// The investor's meeting page: /join#INVITE_CODE.
// Protocol: contract section 4 and docs/protocol.md. Every text that comes from the
// server or from people is inserted with textContent, never as HTML.
import { applyStrings, fillLanguageSelect, format, initialLanguage, isLanguage, rememberLanguage } from "/lang.js";
import { machineEngineOf, primaryLanguage, readingOf, replyTarget } from "/translations.js";
import { socketURL } from "/socket.js";
import { Conversation, closeVerdict } from "/conversation.js";
import { LogFollower } from "/follow.js";
import { appendWithTerms, termsDisclosure, writtenLanguage, fileTypeLabel, formatBytes, isImageAddress, isOwnOrigin, isWebAddress, languageName } from "/text.js";
import { InvitationPanel } from "/invitation.js";

const NB = "\u00a0";

const STRINGS = {
  en: {
    noticeRead: "I have read this",
    bannerDismiss: "Dismiss",
    brandSub: "Virtual investor meeting",
    skipToComposer: "Skip to the message box",
    languageLabel: "Language",
    retryNow: "Retry now",
    leave: "Leave",
    leaveConfirm: "Leave the meeting? You can rejoin with the same link while the meeting is open.",
    prejoinTitle: "Join your meeting",
    prejoinText: "You are invited to a meeting with the Quảng Ninh Investment Promotion and Support Agency.",
    prejoinRecorded:
      "The meeting is recorded. The full notice about the recording and the AI assistant appears as soon as you join.",
    prejoinLanguage: "Language you want to read the meeting in",
    joinButton: "Join the meeting",
    rejoin: "Rejoin the meeting",
    home: "Home page",
    agency: "Quảng Ninh Investment Promotion and Support Agency",
    participants: "Participants",
    conversation: "Conversation",
    noticeTitle: "Recorded meeting · AI assistant",
    empty: "No messages yet.",
    newMessages: "New messages ↓",
    composerLabel: "Your message",
    placeholder: "Write a message…",
    composerHint: "Enter to send · Shift+Enter for a new line",
    send: "Send",
    ask: "Ask the assistant",
    askHint: "The AI assistant answers from the agency’s documents, with sources; an officer may check its answer first.",
    bannerReviewing: "The assistant has prepared an answer; an officer is checking it before it is shown.",
    bannerHandover: "A person takes over: {desk} will follow up on your question.",
    bannerHandoverNoDesk: "A person takes over: an officer will follow up on your question.",
    serviceUnavailable:
      "The server cannot store messages right now. What you send will be confirmed as soon as it is back, or you can send it again then. Reloading the page may connect you to another server.",
    serviceBack: "Messages are being stored again.",
    caughtUp: "Reconnected · caught up on {n} missed events",
    caughtUpNone: "Reconnected · nothing was missed",
    source: "Source",
    passage: "Passage",
    termsButton: "Terms ({count})",
    connConnecting: "Connecting…",
    connLive: "Live",
    connReconnecting: "Reconnecting…",
    connWait: "{s} s",
    connOffline: "Disconnected",
    connEnded: "Meeting ended",
    connLeft: "Left",
    you: "you",
    online: "online",
    offline: "offline",
    muted: "muted",
    role_officer: "Officer",
    role_investor: "Investor",
    role_assistant: "AI assistant",
    role_reviewer: "Reviewer",
    kindQuestion: "Question to the assistant",
    textRedacted: "text removed",
    q_reviewing: "An officer is reviewing the answer…",
    q_answered: "Answered",
    q_rejected: "An officer will answer this question",
    q_handed_over: "Passed to a specialist",
    original: "Original ({lang})",
    provOriginal: "Original text · {lang}",
    provUntranslated: "Original text · {lang} · this meeting has no automatic translation",
    provMachine: "Machine translation · {engine}",
    provPhrasebook: "Standard phrase from the agency’s phrasebook",
    provHuman: "Translated by {name}",
    provHumanRole: "Translated by {name} ({role})",
    editedBy: "Edited by {name}",
    replies: "Answers to this question",
    role_interpreter: "Interpreter",
    newAnswer: "New answer ↑",
    sources: "Sources",
    contactTitle: "Your contact for this question",
    sending: "Sending…",
    sent: "Sent",
    retry: "Retry",
    edit: "Edit",
    discard: "Discard",
    errMuted: "Not sent: you are muted in this meeting.",
    errForbidden: "Not sent: this action is not allowed ({detail}).",
    errEnded: "Not sent: the meeting has ended.",
    errRateLimited: "Not sent: too many messages in a short time. Wait a moment, then retry.",
    errUnavailable: "Not sent: the server could not store the message. Please retry.",
    errBadRequest: "Not sent: the message was refused ({detail}).",
    errGeneric: "Not sent: {detail}",
    mutedNote: "An officer has muted you: you can follow the conversation but cannot send messages for now.",
    endedNote: "The meeting has ended; no more messages can be sent.",
    endedBanner:
      "This meeting has ended. Thank you for taking part — the agency keeps the transcript of the conversation.",
    sysJoined: "{name} joined the meeting",
    sysLeft: "{name} left the meeting",
    sysMuted: "{by} muted {name}",
    sysUnmuted: "{name} can write again",
    sysRemoved: "{name} was removed from the meeting",
    sysYouMuted: "{by} muted you",
    sysYouUnmuted: "You can write again",
    sysEnded: "{by} ended the meeting",
    stopNoInviteTitle: "No invite code",
    stopNoInviteText:
      "Open the personal invite link the agency sent you — it ends with “#” followed by your code. If you copied the link by hand, check that it is complete.",
    stopRemovedTitle: "You are no longer in this meeting",
    stopRemovedText: "An officer removed you from the meeting. If you think this is a mistake, please contact the agency.",
    stopRevokedTitle: "This invite was withdrawn",
    stopRevokedText: "The agency has withdrawn this invite link. Please contact the agency for a new one.",
    stopExpiredTitle: "This invite has expired",
    stopExpiredText: "The invite link is past its validity date. Please contact the agency for a new one.",
    stopInvalidTitle: "This invite link does not work",
    stopInvalidText:
      "The link is not valid, or no longer valid. Check that you opened the complete link you received, or contact the agency for a new one.",
    stopRateTitle: "Too many attempts",
    stopRateText: "There were too many unsuccessful attempts from your network. Wait a minute, then reload the page.",
    lobbyTitle: "You are in the waiting room",
    lobbyText: "An officer of the agency will let you into the meeting shortly. Please keep this page open.",
    stopDeclinedTitle: "You were not admitted to this meeting",
    stopDeclinedText: "An officer did not admit you to the meeting. If you think this is a mistake, please contact the agency.",
    stopLeftTitle: "You left the meeting",
    stopLeftText: "You can rejoin while the meeting is still open.",
    detail: "Technical detail: {detail}",
    invitationTitle: "Your invitation",
    invitationWhen: "When: {when}",
    invitationDeclined: "You have told the agency that you cannot attend, so you will not receive reminders.",
    invitationDecline: "I cannot attend",
    invitationAttend: "I can attend after all",
    invitationTranscript: "E-mail me the transcript after the meeting",
    invitationEmail: "Your e-mail address",
    invitationSave: "Save",
    invitationSaved: "Saved.",
    invitationFailed: "Not saved: {detail}",
    invitationNeedsEmail: "Enter the e-mail address to send the transcript to.",
    meetingFallback: "Meeting",
    // Issue 19: ratings, shared files, zone media, the survey.
    rateQuestion: "Was this answer helpful?",
    rateHelpful: "Helpful",
    rateUnhelpful: "Not helpful",
    rateReason: "What was wrong with this answer?",
    rateReasonChoose: "Choose a reason",
    rateReasonsLoading: "Loading the reasons…",
    rateComment: "Comment (optional)",
    rateCommentHint: "Up to 2,000 characters",
    rateSend: "Send",
    rateCancel: "Cancel",
    rateSending: "Sending your rating…",
    rateNeedReason: "Please choose a reason.",
    rateThanksHelpful: "Thank you — you found this answer helpful.",
    rateThanksUnhelpful: "Thank you — you found this answer not helpful.",
    rateFailed: "Your rating was not sent: {detail}",
    rateOffline: "Your rating was not sent: the page is not connected. Please try again in a moment.",
    rateAlready: "This answer has already been rated.",
    kindAttachment: "Shared file",
    attachmentDownload: "Download",
    attachmentDownloading: "Downloading…",
    attachmentFailed: "The download failed: {detail}",
    attachmentPreview: "Preview of {name}",
    mediaTour: "360° tour",
    mediaMap: "Map",
    newTab: "(opens in a new tab)",
    surveyOfferTitle: "How did the meeting go?",
    surveyOfferText: "A short survey of a few minutes helps the agency prepare better meetings. Thank you for your time.",
    surveyOfferButton: "Tell us how the meeting went",
  },
  vi: {
    noticeRead: "Tôi đã đọc thông báo này",
    bannerDismiss: "Ẩn thông báo",
    brandSub: "Buổi làm việc trực tuyến với nhà đầu tư",
    skipToComposer: "Chuyển đến ô soạn tin",
    languageLabel: "Ngôn ngữ",
    retryNow: "Thử lại ngay",
    leave: "Rời khỏi",
    leaveConfirm:
      "Rời khỏi buổi làm việc? Quý vị có thể tham gia lại bằng cùng đường liên kết khi buổi làm việc vẫn đang diễn ra.",
    prejoinTitle: "Tham gia buổi làm việc",
    prejoinText: "Quý vị được mời tham gia buổi làm việc với Ban Xúc tiến và Hỗ trợ đầu tư tỉnh Quảng Ninh.",
    prejoinRecorded:
      "Buổi làm việc được ghi lại. Thông báo đầy đủ về việc ghi lại và về trợ lý AI sẽ hiển thị ngay khi Quý vị tham gia.",
    prejoinLanguage: "Ngôn ngữ Quý vị muốn dùng để theo dõi buổi làm việc",
    joinButton: "Tham gia",
    rejoin: "Tham gia lại",
    home: "Trang chủ",
    agency: "Ban Xúc tiến và Hỗ trợ đầu tư tỉnh Quảng Ninh",
    participants: "Thành phần tham dự",
    conversation: "Nội dung trao đổi",
    noticeTitle: "Buổi làm việc được ghi lại · Trợ lý AI",
    empty: "Chưa có tin nhắn nào.",
    newMessages: "Tin nhắn mới ↓",
    composerLabel: "Tin nhắn của Quý vị",
    placeholder: "Nhập tin nhắn…",
    composerHint: "Enter để gửi · Shift+Enter để xuống dòng",
    send: "Gửi",
    ask: "Hỏi trợ lý",
    askHint: "Trợ lý AI trả lời dựa trên tài liệu của Ban, có dẫn nguồn; cán bộ có thể kiểm tra câu trả lời trước.",
    bannerReviewing: "Trợ lý đã soạn câu trả lời; cán bộ đang kiểm tra trước khi hiển thị.",
    bannerHandover: "Chuyển cho người phụ trách: {desk} sẽ tiếp tục trả lời câu hỏi của Quý vị.",
    bannerHandoverNoDesk: "Chuyển cho người phụ trách: cán bộ sẽ tiếp tục trả lời câu hỏi của Quý vị.",
    serviceUnavailable:
      "Máy chủ tạm thời chưa lưu được tin nhắn. Tin nhắn Quý vị gửi sẽ được xác nhận ngay khi máy chủ hoạt động trở lại, hoặc Quý vị có thể gửi lại sau. Tải lại trang có thể giúp Quý vị kết nối với một máy chủ khác.",
    serviceBack: "Máy chủ đã lưu được tin nhắn trở lại.",
    caughtUp: "Đã kết nối lại · đã cập nhật {n} nội dung bị lỡ",
    caughtUpNone: "Đã kết nối lại · không bỏ lỡ nội dung nào",
    source: "Nguồn",
    passage: "Đoạn trích",
    termsButton: "Thuật ngữ ({count})",
    connConnecting: "Đang kết nối…",
    connLive: "Trực tuyến",
    connReconnecting: "Đang kết nối lại…",
    connWait: "{s} giây",
    connOffline: "Mất kết nối",
    connEnded: "Đã kết thúc",
    connLeft: "Đã rời",
    you: "Quý vị",
    online: "trực tuyến",
    offline: "ngoại tuyến",
    muted: "tạm khóa phát biểu",
    role_officer: "Cán bộ",
    role_investor: "Nhà đầu tư",
    role_assistant: "Trợ lý AI",
    role_reviewer: "Cán bộ rà soát",
    kindQuestion: "Câu hỏi cho trợ lý",
    textRedacted: "nội dung đã bị xóa",
    q_reviewing: "Cán bộ đang xem xét câu trả lời…",
    q_answered: "Đã trả lời",
    q_rejected: "Cán bộ sẽ trực tiếp trả lời câu hỏi này",
    q_handed_over: "Đã chuyển cho chuyên viên phụ trách",
    original: "Bản gốc ({lang})",
    provOriginal: "Nguyên văn · {lang}",
    provUntranslated: "Nguyên văn · {lang} · cuộc họp này không có bản dịch máy",
    provMachine: "Bản dịch máy · {engine}",
    provPhrasebook: "Mẫu câu chuẩn của Ban",
    provHuman: "Bản dịch của {name}",
    provHumanRole: "Bản dịch của {name} ({role})",
    editedBy: "Đã được {name} chỉnh sửa",
    replies: "Câu trả lời cho câu hỏi này",
    role_interpreter: "Phiên dịch viên",
    newAnswer: "Có câu trả lời mới ↑",
    sources: "Nguồn",
    contactTitle: "Đầu mối liên hệ cho câu hỏi này",
    sending: "Đang gửi…",
    sent: "Đã gửi",
    retry: "Gửi lại",
    edit: "Sửa",
    discard: "Bỏ",
    errMuted: "Chưa gửi được: Quý vị đang bị tạm khóa phát biểu trong buổi làm việc này.",
    errForbidden: "Chưa gửi được: thao tác này không được phép ({detail}).",
    errEnded: "Chưa gửi được: buổi làm việc đã kết thúc.",
    errRateLimited:
      "Chưa gửi được: Quý vị đã gửi quá nhiều tin nhắn trong thời gian ngắn. Vui lòng đợi giây lát rồi gửi lại.",
    errUnavailable: "Chưa gửi được: máy chủ chưa lưu được tin nhắn. Vui lòng gửi lại.",
    errBadRequest: "Chưa gửi được: tin nhắn bị từ chối ({detail}).",
    errGeneric: "Chưa gửi được: {detail}",
    mutedNote:
      "Cán bộ đã tạm khóa phát biểu của Quý vị: Quý vị vẫn theo dõi được nội dung trao đổi nhưng tạm thời chưa gửi được tin nhắn.",
    endedNote: "Buổi làm việc đã kết thúc; không thể gửi thêm tin nhắn.",
    endedBanner: "Buổi làm việc đã kết thúc. Cảm ơn Quý vị đã tham gia — Ban lưu giữ biên bản của cuộc trao đổi.",
    sysJoined: "{name} đã tham gia",
    sysLeft: "{name} đã rời buổi làm việc",
    sysMuted: "{by} đã tạm khóa phát biểu của {name}",
    sysUnmuted: "{name} đã được phát biểu trở lại",
    sysRemoved: "{name} đã bị mời ra khỏi buổi làm việc",
    sysYouMuted: "{by} đã tạm khóa phát biểu của Quý vị",
    sysYouUnmuted: "Quý vị đã được phát biểu trở lại",
    sysEnded: "{by} đã kết thúc buổi làm việc",
    stopNoInviteTitle: "Không có mã mời",
    stopNoInviteText:
      "Vui lòng mở đường liên kết mời riêng mà Ban đã gửi — đường liên kết kết thúc bằng dấu “#” và mã của Quý vị. Nếu Quý vị sao chép thủ công, xin kiểm tra lại xem đã đầy đủ chưa.",
    stopRemovedTitle: "Quý vị không còn tham gia buổi làm việc này",
    stopRemovedText: "Cán bộ đã mời Quý vị ra khỏi buổi làm việc. Nếu cho rằng có nhầm lẫn, xin vui lòng liên hệ với Ban.",
    stopRevokedTitle: "Lời mời đã bị thu hồi",
    stopRevokedText: "Ban đã thu hồi đường liên kết mời này. Xin vui lòng liên hệ với Ban để nhận đường liên kết mới.",
    stopExpiredTitle: "Lời mời đã hết hạn",
    stopExpiredText:
      "Đường liên kết mời đã quá thời hạn sử dụng. Xin vui lòng liên hệ với Ban để nhận đường liên kết mới.",
    stopInvalidTitle: "Đường liên kết mời không sử dụng được",
    stopInvalidText:
      "Đường liên kết không hợp lệ hoặc không còn hiệu lực. Xin kiểm tra xem Quý vị đã mở đầy đủ đường liên kết nhận được, hoặc liên hệ với Ban để nhận đường liên kết mới.",
    stopRateTitle: "Quá nhiều lần thử",
    stopRateText:
      "Có quá nhiều lần truy cập không thành công từ mạng của Quý vị. Vui lòng đợi một phút rồi tải lại trang.",
    lobbyTitle: "Quý vị đang ở phòng chờ",
    lobbyText: "Cán bộ của Ban sẽ mời Quý vị vào buổi làm việc trong giây lát. Xin vui lòng không đóng trang này.",
    stopDeclinedTitle: "Rất tiếc, Quý vị không thể tham gia buổi làm việc này",
    stopDeclinedText: "Cán bộ đã không chấp nhận yêu cầu tham gia của Quý vị. Nếu cho rằng có nhầm lẫn, xin vui lòng liên hệ với Ban.",
    stopLeftTitle: "Quý vị đã rời buổi làm việc",
    stopLeftText: "Quý vị có thể tham gia lại khi buổi làm việc vẫn đang diễn ra.",
    detail: "Chi tiết kỹ thuật: {detail}",
    invitationTitle: "Thư mời của Quý vị",
    invitationWhen: "Thời gian: {when}",
    invitationDeclined: "Quý vị đã thông báo với Ban rằng Quý vị không thể tham dự, vì vậy sẽ không nhận được thư nhắc lịch.",
    invitationDecline: "Tôi không thể tham dự",
    invitationAttend: "Tôi vẫn có thể tham dự",
    invitationTranscript: "Gửi cho tôi biên bản qua thư điện tử sau buổi làm việc",
    invitationEmail: "Địa chỉ thư điện tử của Quý vị",
    invitationSave: "Lưu",
    invitationSaved: "Đã lưu.",
    invitationFailed: "Chưa lưu được: {detail}",
    invitationNeedsEmail: "Xin vui lòng nhập địa chỉ thư điện tử để nhận biên bản.",
    meetingFallback: "Buổi làm việc",
    rateQuestion: "Câu trả lời này có hữu ích với Quý vị không?",
    rateHelpful: "Hữu ích",
    rateUnhelpful: "Chưa hữu ích",
    rateReason: "Câu trả lời chưa đáp ứng yêu cầu của Quý vị ở điểm nào?",
    rateReasonChoose: "Chọn lý do",
    rateReasonsLoading: "Đang tải danh sách lý do…",
    rateComment: "Ý kiến thêm (không bắt buộc)",
    rateCommentHint: "Tối đa 2.000 ký tự",
    rateSend: "Gửi",
    rateCancel: "Hủy",
    rateSending: "Đang gửi đánh giá…",
    rateNeedReason: "Xin vui lòng chọn một lý do.",
    rateThanksHelpful: "Xin cảm ơn Quý vị đã đánh giá câu trả lời này là hữu ích.",
    rateThanksUnhelpful: "Xin cảm ơn Quý vị đã đánh giá câu trả lời này là chưa hữu ích.",
    rateFailed: "Chưa gửi được đánh giá: {detail}",
    rateOffline: "Chưa gửi được đánh giá: trang đang mất kết nối. Xin vui lòng thử lại sau giây lát.",
    rateAlready: "Câu trả lời này đã được đánh giá.",
    kindAttachment: "Tệp được chia sẻ",
    attachmentDownload: "Tải xuống",
    attachmentDownloading: "Đang tải xuống…",
    attachmentFailed: "Chưa tải xuống được: {detail}",
    attachmentPreview: "Bản xem trước tệp {name}",
    mediaTour: "Tham quan ảo 360°",
    mediaMap: "Bản đồ",
    newTab: "(mở trong thẻ mới)",
    surveyOfferTitle: "Quý vị đánh giá thế nào về buổi làm việc?",
    surveyOfferText:
      "Kính mời Quý vị trả lời một phiếu khảo sát ngắn (chỉ mất vài phút) để giúp Ban tổ chức các buổi làm việc tốt hơn. Xin cảm ơn Quý vị đã dành thời gian.",
    surveyOfferButton: "Gửi ý kiến về buổi làm việc",
  },
  fr: {
    noticeRead: "J’ai lu cet avis",
    bannerDismiss: "Masquer",
    brandSub: "Entretien virtuel avec les investisseurs",
    skipToComposer: "Aller à la zone de saisie",
    languageLabel: "Langue",
    retryNow: "Réessayer maintenant",
    leave: "Quitter",
    leaveConfirm: `Quitter l’entretien${NB}? Vous pourrez le rejoindre avec le même lien tant qu’il est en cours.`,
    prejoinTitle: "Rejoindre votre entretien",
    prejoinText:
      "Vous êtes invité(e) à un entretien avec l’Agence de promotion et de soutien à l’investissement de Quảng Ninh.",
    prejoinRecorded:
      "L’entretien est enregistré. L’avis complet sur l’enregistrement et sur l’assistant d’IA s’affiche dès que vous rejoignez l’entretien.",
    prejoinLanguage: "Langue dans laquelle vous souhaitez suivre l’entretien",
    joinButton: "Rejoindre l’entretien",
    rejoin: "Rejoindre à nouveau",
    home: "Page d’accueil",
    agency: "Agence de promotion et de soutien à l’investissement de Quảng Ninh",
    participants: "Participants",
    conversation: "Conversation",
    noticeTitle: "Entretien enregistré · Assistant d’IA",
    empty: "Aucun message pour l’instant.",
    newMessages: "Nouveaux messages ↓",
    composerLabel: "Votre message",
    placeholder: "Écrivez un message…",
    composerHint: "Entrée pour envoyer · Maj+Entrée pour aller à la ligne",
    send: "Envoyer",
    ask: "Demander à l’assistant",
    askHint: "L’assistant IA répond à partir des documents de l’agence, avec ses sources ; un conseiller peut vérifier sa réponse avant.",
    bannerReviewing: "L’assistant a préparé une réponse ; un conseiller la vérifie avant de l’afficher.",
    bannerHandover: "Une personne prend le relais : {desk} donnera suite à votre question.",
    bannerHandoverNoDesk: "Une personne prend le relais : un conseiller donnera suite à votre question.",
    serviceUnavailable:
      "Le serveur ne peut pas enregistrer les messages pour le moment. Ce que vous envoyez sera confirmé dès qu’il sera rétabli, ou vous pourrez alors le renvoyer. Recharger la page peut vous connecter à un autre serveur.",
    serviceBack: "Les messages sont de nouveau enregistrés.",
    caughtUp: "Reconnecté · {n} événements manqués récupérés",
    caughtUpNone: "Reconnecté · rien n’a été manqué",
    source: "Source",
    passage: "Extrait",
    termsButton: "Termes ({count})",
    connConnecting: "Connexion…",
    connLive: "En direct",
    connReconnecting: "Reconnexion…",
    connWait: `{s}${NB}s`,
    connOffline: "Déconnecté",
    connEnded: "Entretien terminé",
    connLeft: "Entretien quitté",
    you: "vous",
    online: "en ligne",
    offline: "hors ligne",
    muted: "parole suspendue",
    role_officer: "Conseiller",
    role_investor: "Investisseur",
    role_assistant: "Assistant IA",
    role_reviewer: "Vérificateur",
    kindQuestion: "Question à l’assistant",
    textRedacted: "texte retiré",
    q_reviewing: "Un conseiller vérifie la réponse…",
    q_answered: "Réponse donnée",
    q_rejected: "Un conseiller répondra à cette question",
    q_handed_over: "Transmise à un spécialiste",
    original: "Texte original ({lang})",
    provOriginal: "Texte original · {lang}",
    provUntranslated: "Texte original · {lang} · pas de traduction automatique dans cette réunion",
    provMachine: "Traduction automatique · {engine}",
    provPhrasebook: "Formule type du recueil de l’agence",
    provHuman: "Traduit par {name}",
    provHumanRole: "Traduit par {name} ({role})",
    editedBy: "Réponse modifiée par {name}",
    replies: "Réponses à cette question",
    role_interpreter: "Interprète",
    newAnswer: "Nouvelle réponse ↑",
    sources: "Sources",
    contactTitle: "Votre interlocuteur pour cette question",
    sending: "Envoi…",
    sent: "Envoyé",
    retry: "Réessayer",
    edit: "Modifier",
    discard: "Supprimer",
    errMuted: `Non envoyé${NB}: votre parole est suspendue dans cet entretien.`,
    errForbidden: `Non envoyé${NB}: action non autorisée ({detail}).`,
    errEnded: `Non envoyé${NB}: l’entretien est terminé.`,
    errRateLimited: `Non envoyé${NB}: trop de messages en peu de temps. Patientez un instant, puis réessayez.`,
    errUnavailable: `Non envoyé${NB}: le serveur n’a pas pu enregistrer le message. Veuillez réessayer.`,
    errBadRequest: `Non envoyé${NB}: le message a été refusé ({detail}).`,
    errGeneric: `Non envoyé${NB}: {detail}`,
    mutedNote: `Un conseiller a suspendu votre parole${NB}: vous pouvez suivre la conversation, mais pas envoyer de message pour le moment.`,
    endedNote: `L’entretien est terminé${NB}; il n’est plus possible d’envoyer de message.`,
    endedBanner:
      "Cet entretien est terminé. Merci de votre participation — l’agence conserve la transcription de la conversation.",
    sysJoined: "{name} a rejoint l’entretien",
    sysLeft: "{name} a quitté l’entretien",
    sysMuted: "{by} a suspendu la parole de {name}",
    sysUnmuted: "{name} peut de nouveau écrire",
    sysRemoved: "{name} a été retiré(e) de l’entretien",
    sysYouMuted: "{by} a suspendu votre parole",
    sysYouUnmuted: "Vous pouvez de nouveau écrire",
    sysEnded: "{by} a mis fin à l’entretien",
    stopNoInviteTitle: "Aucun code d’invitation",
    stopNoInviteText: `Ouvrez le lien d’invitation personnel que l’agence vous a envoyé — il se termine par «${NB}#${NB}» suivi de votre code. Si vous l’avez recopié à la main, vérifiez qu’il est complet.`,
    stopRemovedTitle: "Vous ne participez plus à cet entretien",
    stopRemovedText:
      "Un conseiller vous a retiré(e) de l’entretien. S’il s’agit d’une erreur, veuillez contacter l’agence.",
    stopRevokedTitle: "Cette invitation a été retirée",
    stopRevokedText: "L’agence a retiré ce lien d’invitation. Veuillez la contacter pour en obtenir un nouveau.",
    stopExpiredTitle: "Cette invitation a expiré",
    stopExpiredText:
      "La durée de validité du lien d’invitation est dépassée. Veuillez contacter l’agence pour en obtenir un nouveau.",
    stopInvalidTitle: "Ce lien d’invitation ne fonctionne pas",
    stopInvalidText:
      "Le lien n’est pas valide, ou ne l’est plus. Vérifiez que vous avez ouvert le lien complet reçu, ou contactez l’agence pour en obtenir un nouveau.",
    stopRateTitle: "Trop de tentatives",
    stopRateText: "Trop de tentatives infructueuses proviennent de votre réseau. Patientez une minute, puis rechargez la page.",
    lobbyTitle: "Vous êtes dans la salle d’attente",
    lobbyText: "Un conseiller de l’agence va vous admettre à l’entretien dans quelques instants. Veuillez garder cette page ouverte.",
    stopDeclinedTitle: "Vous n’avez pas été admis(e) à cet entretien",
    stopDeclinedText:
      "Un conseiller n’a pas accepté votre demande de participation. S’il s’agit d’une erreur, veuillez contacter l’agence.",
    stopLeftTitle: "Vous avez quitté l’entretien",
    stopLeftText: "Vous pouvez le rejoindre à nouveau tant qu’il est en cours.",
    detail: `Détail technique${NB}: {detail}`,
    invitationTitle: "Votre invitation",
    invitationWhen: `Date et heure${NB}: {when}`,
    invitationDeclined: `Vous avez indiqué à l’agence que vous ne pourrez pas participer${NB}: vous ne recevrez donc pas de rappels.`,
    invitationDecline: "Je ne pourrai pas participer",
    invitationAttend: "Finalement, je pourrai participer",
    invitationTranscript: "M’envoyer la transcription par e-mail après l’entretien",
    invitationEmail: "Votre adresse e-mail",
    invitationSave: "Enregistrer",
    invitationSaved: "Enregistré.",
    invitationFailed: `Non enregistré${NB}: {detail}`,
    invitationNeedsEmail: "Veuillez saisir l’adresse e-mail à laquelle envoyer la transcription.",
    meetingFallback: "Entretien",
    rateQuestion: `Cette réponse vous a-t-elle été utile${NB}?`,
    rateHelpful: "Utile",
    rateUnhelpful: "Pas utile",
    rateReason: `En quoi cette réponse ne vous a-t-elle pas été utile${NB}?`,
    rateReasonChoose: "Choisissez une raison",
    rateReasonsLoading: "Chargement des raisons…",
    rateComment: "Commentaire (facultatif)",
    rateCommentHint: `2${NB}000 caractères au maximum`,
    rateSend: "Envoyer",
    rateCancel: "Annuler",
    rateSending: "Envoi de votre évaluation…",
    rateNeedReason: "Veuillez choisir une raison.",
    rateThanksHelpful: "Merci — vous avez jugé cette réponse utile.",
    rateThanksUnhelpful: "Merci — vous avez jugé que cette réponse n’était pas utile.",
    rateFailed: `Votre évaluation n’a pas été envoyée${NB}: {detail}`,
    rateOffline: `Votre évaluation n’a pas été envoyée${NB}: la connexion au serveur est interrompue. Veuillez réessayer dans un instant.`,
    rateAlready: "Cette réponse a déjà été évaluée.",
    kindAttachment: "Fichier partagé",
    attachmentDownload: "Télécharger",
    attachmentDownloading: "Téléchargement…",
    attachmentFailed: `Le téléchargement a échoué${NB}: {detail}`,
    attachmentPreview: "Aperçu de {name}",
    mediaTour: "Visite virtuelle à 360°",
    mediaMap: "Carte",
    newTab: "(s’ouvre dans un nouvel onglet)",
    surveyOfferTitle: `Comment s’est passé l’entretien${NB}?`,
    surveyOfferText:
      "Quelques minutes suffisent pour répondre à ce court questionnaire, qui aidera l’agence à mieux préparer ses prochains entretiens. Merci par avance du temps que vous y consacrerez.",
    surveyOfferButton: "Donner mon avis sur l’entretien",
  },
  ja: {
    noticeRead: "確認しました",
    bannerDismiss: "閉じる",
    brandSub: "オンライン投資家面談",
    skipToComposer: "メッセージ入力欄へ移動",
    languageLabel: "言語",
    retryNow: "今すぐ再接続",
    leave: "退出",
    leaveConfirm: "面談から退出しますか？面談が続いている間は、同じリンクから再び参加できます。",
    prejoinTitle: "面談に参加する",
    prejoinText: "クアンニン省投資促進・支援局との面談にご招待しています。",
    prejoinRecorded: "この面談は記録されます。記録とAIアシスタントに関するお知らせの全文は、参加後すぐに表示されます。",
    prejoinLanguage: "面談を表示する言語",
    joinButton: "面談に参加",
    rejoin: "再参加する",
    home: "トップページ",
    agency: "クアンニン省投資促進・支援局",
    participants: "参加者",
    conversation: "会話",
    noticeTitle: "面談の記録とAIアシスタントについて",
    empty: "まだメッセージはありません。",
    newMessages: "新しいメッセージ ↓",
    composerLabel: "メッセージ",
    placeholder: "メッセージを入力…",
    composerHint: "Enterで送信・Shift+Enterで改行",
    send: "送信",
    ask: "アシスタントに質問",
    askHint: "AIアシスタントは当局の資料に基づき、出典付きで回答します。回答は職員が先に確認する場合があります。",
    bannerReviewing: "アシスタントが回答を用意しました。表示する前に職員が確認しています。",
    bannerHandover: "担当者に引き継ぎます：{desk}がご質問に対応します。",
    bannerHandoverNoDesk: "担当者に引き継ぎます：職員がご質問に対応します。",
    serviceUnavailable:
      "現在、サーバーがメッセージを保存できません。送信したメッセージは復旧し次第確認されます。復旧後に再送信することもできます。ページを再読み込みすると、別のサーバーに接続できる場合があります。",
    serviceBack: "メッセージの保存が再開されました。",
    caughtUp: "再接続しました · 見逃した{n}件を受信しました",
    caughtUpNone: "再接続しました · 見逃した内容はありません",
    source: "出典",
    passage: "抜粋",
    termsButton: "用語（{count}）",
    connConnecting: "接続しています…",
    connLive: "接続済み",
    connReconnecting: "再接続しています…",
    connWait: "{s}秒",
    connOffline: "切断されました",
    connEnded: "面談終了",
    connLeft: "退出済み",
    you: "あなた",
    online: "オンライン",
    offline: "オフライン",
    muted: "発言停止中",
    role_officer: "担当職員",
    role_investor: "投資家",
    role_assistant: "AIアシスタント",
    role_reviewer: "確認担当者",
    kindQuestion: "アシスタントへの質問",
    textRedacted: "本文は削除されました",
    q_reviewing: "担当職員が回答を確認しています…",
    q_answered: "回答済み",
    q_rejected: "この質問には担当職員がお答えします",
    q_handed_over: "専門の担当者に引き継ぎました",
    original: "原文（{lang}）",
    provOriginal: "原文（{lang}）",
    provUntranslated: "原文（{lang}）：この面談では自動翻訳は提供されていません",
    provMachine: "機械翻訳（{engine}）",
    provPhrasebook: "当局の定型文",
    provHuman: "{name}による翻訳",
    provHumanRole: "{name}（{role}）による翻訳",
    editedBy: "{name}が編集",
    replies: "このご質問への回答",
    role_interpreter: "通訳者",
    newAnswer: "新しい回答 ↑",
    sources: "出典",
    contactTitle: "このご質問の担当窓口",
    sending: "送信中…",
    sent: "送信済み",
    retry: "再送信",
    edit: "編集",
    discard: "削除",
    errMuted: "送信できませんでした：この面談では現在、発言が停止されています。",
    errForbidden: "送信できませんでした：この操作は許可されていません（{detail}）。",
    errEnded: "送信できませんでした：面談は終了しています。",
    errRateLimited: "送信できませんでした：短時間に多くのメッセージが送信されました。少し待ってから再送信してください。",
    errUnavailable: "送信できませんでした：サーバーでメッセージを保存できませんでした。再送信してください。",
    errBadRequest: "送信できませんでした：メッセージが受け付けられませんでした（{detail}）。",
    errGeneric: "送信できませんでした：{detail}",
    mutedNote: "担当職員により発言が停止されています。会話は引き続きご覧いただけますが、現在メッセージは送信できません。",
    endedNote: "面談は終了しました。これ以上メッセージは送信できません。",
    endedBanner: "この面談は終了しました。ご参加ありがとうございました。会話の記録は当局が保管します。",
    sysJoined: "{name} が参加しました",
    sysLeft: "{name} が退出しました",
    sysMuted: "{by} が {name} の発言を停止しました",
    sysUnmuted: "{name} の発言停止が解除されました",
    sysRemoved: "{name} が面談から除外されました",
    sysYouMuted: "{by} があなたの発言を停止しました",
    sysYouUnmuted: "発言停止が解除されました",
    sysEnded: "{by} が面談を終了しました",
    stopNoInviteTitle: "招待コードがありません",
    stopNoInviteText:
      "当局からお送りした個人用の招待リンクを開いてください。リンクの末尾は「#」とコードになっています。手作業でコピーした場合は、リンクが欠けていないかご確認ください。",
    stopRemovedTitle: "この面談には参加できなくなりました",
    stopRemovedText: "担当職員により面談から除外されました。お心当たりがない場合は、当局までお問い合わせください。",
    stopRevokedTitle: "この招待は取り消されました",
    stopRevokedText: "この招待リンクは当局により取り消されました。新しいリンクについては当局までお問い合わせください。",
    stopExpiredTitle: "この招待は有効期限が切れています",
    stopExpiredText: "招待リンクの有効期限が過ぎています。新しいリンクについては当局までお問い合わせください。",
    stopInvalidTitle: "この招待リンクは使用できません",
    stopInvalidText:
      "リンクが無効か、すでに有効ではありません。受け取ったリンクを最後まで正しく開いたかご確認いただくか、新しいリンクについて当局までお問い合わせください。",
    stopRateTitle: "試行回数が多すぎます",
    stopRateText: "お使いのネットワークから失敗した接続が多数ありました。1分ほど待ってから、ページを再読み込みしてください。",
    lobbyTitle: "待機室でお待ちください",
    lobbyText: "まもなく当局の担当職員が面談にご案内します。このページを開いたままお待ちください。",
    stopDeclinedTitle: "この面談への参加は承認されませんでした",
    stopDeclinedText: "担当職員により参加が承認されませんでした。お心当たりがない場合は、当局までお問い合わせください。",
    stopLeftTitle: "面談から退出しました",
    stopLeftText: "面談が続いている間は、再び参加できます。",
    detail: "技術的な詳細：{detail}",
    invitationTitle: "ご招待について",
    invitationWhen: "日時：{when}",
    invitationDeclined: "ご出席いただけない旨を当局にお知らせいただいたため、リマインダーはお送りいたしません。",
    invitationDecline: "出席できません",
    invitationAttend: "やはり出席します",
    invitationTranscript: "面談終了後、面談記録をメールで受け取る",
    invitationEmail: "メールアドレス",
    invitationSave: "保存",
    invitationSaved: "保存しました。",
    invitationFailed: "保存できませんでした：{detail}",
    invitationNeedsEmail: "面談記録の送付先メールアドレスを入力してください。",
    meetingFallback: "面談",
    rateQuestion: "この回答はお役に立ちましたか？",
    rateHelpful: "役に立った",
    rateUnhelpful: "役に立たなかった",
    rateReason: "この回答のどの点が不十分でしたか？",
    rateReasonChoose: "理由を選択してください",
    rateReasonsLoading: "理由を読み込んでいます…",
    rateComment: "コメント（任意）",
    rateCommentHint: "2,000文字以内",
    rateSend: "送信",
    rateCancel: "キャンセル",
    rateSending: "評価を送信しています…",
    rateNeedReason: "理由を選択してください。",
    rateThanksHelpful: "ありがとうございます。この回答を「役に立った」とご評価いただきました。",
    rateThanksUnhelpful: "ありがとうございます。この回答を「役に立たなかった」とご評価いただきました。",
    rateFailed: "評価を送信できませんでした：{detail}",
    rateOffline: "評価を送信できませんでした：接続が切れています。しばらくしてから、もう一度お試しください。",
    rateAlready: "この回答はすでに評価済みです。",
    kindAttachment: "共有ファイル",
    attachmentDownload: "ダウンロード",
    attachmentDownloading: "ダウンロードしています…",
    attachmentFailed: "ダウンロードできませんでした：{detail}",
    attachmentPreview: "{name} のプレビュー",
    mediaTour: "360度バーチャル見学",
    mediaMap: "地図",
    newTab: "（新しいタブで開きます）",
    surveyOfferTitle: "面談はいかがでしたか？",
    surveyOfferText: "数分で終わる簡単なアンケートへのご協力をお願いいたします。いただいたご回答は、今後の面談をより良いものにするために活用させていただきます。",
    surveyOfferButton: "アンケートに回答する",
  },
  ko: {
    noticeRead: "확인했습니다",
    bannerDismiss: "닫기",
    brandSub: "온라인 투자자 상담",
    skipToComposer: "메시지 입력란으로 건너뛰기",
    languageLabel: "언어",
    retryNow: "지금 다시 연결",
    leave: "나가기",
    leaveConfirm: "상담에서 나가시겠습니까? 상담이 진행 중인 동안에는 같은 링크로 다시 참여할 수 있습니다.",
    prejoinTitle: "상담 참여",
    prejoinText: "꽝닌성 투자촉진지원청과의 상담에 초대되었습니다.",
    prejoinRecorded: "이 상담은 기록됩니다. 기록 및 AI 비서에 관한 전체 안내는 참여하면 바로 표시됩니다.",
    prejoinLanguage: "상담 내용을 볼 언어",
    joinButton: "상담 참여하기",
    rejoin: "다시 참여하기",
    home: "홈페이지",
    agency: "꽝닌성 투자촉진지원청",
    participants: "참여자",
    conversation: "대화",
    noticeTitle: "상담 기록 및 AI 비서 안내",
    empty: "아직 메시지가 없습니다.",
    newMessages: "새 메시지 ↓",
    composerLabel: "메시지",
    placeholder: "메시지를 입력하세요…",
    composerHint: "Enter로 보내기 · Shift+Enter로 줄바꿈",
    send: "보내기",
    ask: "AI 비서에게 질문",
    askHint: "AI 비서는 기관 자료를 근거로 출처와 함께 답변합니다. 담당 직원이 먼저 답변을 확인할 수 있습니다.",
    bannerReviewing: "AI 비서가 답변을 준비했습니다. 표시하기 전에 담당 직원이 확인하고 있습니다.",
    bannerHandover: "담당자가 이어받습니다: {desk}에서 질문에 답변합니다.",
    bannerHandoverNoDesk: "담당자가 이어받습니다: 담당 직원이 질문에 답변합니다.",
    serviceUnavailable:
      "현재 서버가 메시지를 저장할 수 없습니다. 보내신 메시지는 서버가 복구되는 대로 확인되며, 복구된 뒤 다시 보내실 수도 있습니다. 페이지를 새로 고치면 다른 서버에 연결될 수 있습니다.",
    serviceBack: "메시지가 다시 저장되고 있습니다.",
    caughtUp: "다시 연결됨 · 놓친 내용 {n}건을 받았습니다",
    caughtUpNone: "다시 연결됨 · 놓친 내용이 없습니다",
    source: "출처",
    passage: "발췌",
    termsButton: "용어({count})",
    connConnecting: "연결 중…",
    connLive: "연결됨",
    connReconnecting: "다시 연결 중…",
    connWait: "{s}초",
    connOffline: "연결 끊김",
    connEnded: "상담 종료",
    connLeft: "나감",
    you: "나",
    online: "온라인",
    offline: "오프라인",
    muted: "발언 제한",
    role_officer: "담당 직원",
    role_investor: "투자자",
    role_assistant: "AI 비서",
    role_reviewer: "검토자",
    kindQuestion: "AI 비서에게 한 질문",
    textRedacted: "내용이 삭제됨",
    q_reviewing: "담당 직원이 답변을 검토하고 있습니다…",
    q_answered: "답변 완료",
    q_rejected: "담당 직원이 이 질문에 직접 답변합니다",
    q_handed_over: "전문 담당자에게 전달되었습니다",
    original: "원문({lang})",
    provOriginal: "원문 · {lang}",
    provUntranslated: "원문 · {lang} · 이 회의에서는 자동 번역이 제공되지 않습니다",
    provMachine: "기계 번역 · {engine}",
    provPhrasebook: "기관 표준 문구",
    provHuman: "{name} 님 번역",
    provHumanRole: "{name} 님({role}) 번역",
    editedBy: "{name} 님이 수정함",
    replies: "이 질문에 대한 답변",
    role_interpreter: "통역사",
    newAnswer: "새 답변 ↑",
    sources: "출처",
    contactTitle: "이 질문의 담당 창구",
    sending: "보내는 중…",
    sent: "보냄",
    retry: "다시 보내기",
    edit: "수정",
    discard: "삭제",
    errMuted: "보내지 못했습니다: 이 상담에서 발언이 제한된 상태입니다.",
    errForbidden: "보내지 못했습니다: 허용되지 않은 작업입니다({detail}).",
    errEnded: "보내지 못했습니다: 상담이 종료되었습니다.",
    errRateLimited: "보내지 못했습니다: 짧은 시간에 메시지를 너무 많이 보냈습니다. 잠시 후 다시 보내 주세요.",
    errUnavailable: "보내지 못했습니다: 서버가 메시지를 저장하지 못했습니다. 다시 보내 주세요.",
    errBadRequest: "보내지 못했습니다: 메시지가 거부되었습니다({detail}).",
    errGeneric: "보내지 못했습니다: {detail}",
    mutedNote: "담당 직원이 발언을 제한했습니다. 대화는 계속 볼 수 있지만 지금은 메시지를 보낼 수 없습니다.",
    endedNote: "상담이 종료되어 더 이상 메시지를 보낼 수 없습니다.",
    endedBanner: "이 상담은 종료되었습니다. 참여해 주셔서 감사합니다. 대화록은 기관에서 보관합니다.",
    sysJoined: "{name} 님이 참여했습니다",
    sysLeft: "{name} 님이 나갔습니다",
    sysMuted: "{by} 님이 {name} 님의 발언을 제한했습니다",
    sysUnmuted: "{name} 님의 발언 제한이 해제되었습니다",
    sysRemoved: "{name} 님이 상담에서 제외되었습니다",
    sysYouMuted: "{by} 님이 회원님의 발언을 제한했습니다",
    sysYouUnmuted: "발언 제한이 해제되었습니다",
    sysEnded: "{by} 님이 상담을 종료했습니다",
    stopNoInviteTitle: "초대 코드가 없습니다",
    stopNoInviteText:
      "기관에서 보내 드린 개인 초대 링크를 열어 주세요. 링크는 ‘#’와 코드로 끝납니다. 링크를 직접 복사하셨다면 빠진 부분이 없는지 확인해 주세요.",
    stopRemovedTitle: "이 상담에 더 이상 참여할 수 없습니다",
    stopRemovedText: "담당 직원이 회원님을 상담에서 제외했습니다. 착오라고 생각되시면 기관에 문의해 주세요.",
    stopRevokedTitle: "초대가 취소되었습니다",
    stopRevokedText: "기관에서 이 초대 링크를 취소했습니다. 새 링크가 필요하시면 기관에 문의해 주세요.",
    stopExpiredTitle: "초대가 만료되었습니다",
    stopExpiredText: "초대 링크의 유효 기간이 지났습니다. 새 링크가 필요하시면 기관에 문의해 주세요.",
    stopInvalidTitle: "초대 링크를 사용할 수 없습니다",
    stopInvalidText:
      "링크가 올바르지 않거나 더 이상 유효하지 않습니다. 받으신 링크 전체를 열었는지 확인하시거나, 기관에 새 링크를 요청해 주세요.",
    stopRateTitle: "시도 횟수 초과",
    stopRateText: "사용 중인 네트워크에서 실패한 접속 시도가 너무 많습니다. 1분 후 페이지를 새로 고쳐 주세요.",
    lobbyTitle: "대기실에서 기다려 주세요",
    lobbyText: "잠시 후 기관 담당 직원이 상담으로 안내해 드립니다. 이 페이지를 닫지 말고 기다려 주세요.",
    stopDeclinedTitle: "이 상담 참여가 승인되지 않았습니다",
    stopDeclinedText: "담당 직원이 참여 요청을 승인하지 않았습니다. 착오라고 생각되시면 기관에 문의해 주세요.",
    stopLeftTitle: "상담에서 나왔습니다",
    stopLeftText: "상담이 진행 중인 동안에는 다시 참여할 수 있습니다.",
    detail: "기술 정보: {detail}",
    invitationTitle: "초대 정보",
    invitationWhen: "일시: {when}",
    invitationDeclined: "참석이 어렵다고 기관에 알려 주셨으므로 알림 메일은 보내 드리지 않습니다.",
    invitationDecline: "참석할 수 없습니다",
    invitationAttend: "참석할 수 있게 되었습니다",
    invitationTranscript: "상담 종료 후 회의록을 이메일로 받기",
    invitationEmail: "이메일 주소",
    invitationSave: "저장",
    invitationSaved: "저장되었습니다.",
    invitationFailed: "저장하지 못했습니다: {detail}",
    invitationNeedsEmail: "회의록을 받을 이메일 주소를 입력해 주세요.",
    meetingFallback: "상담",
    rateQuestion: "이 답변이 도움이 되었습니까?",
    rateHelpful: "도움이 됨",
    rateUnhelpful: "도움이 되지 않음",
    rateReason: "이 답변의 어떤 점이 부족했습니까?",
    rateReasonChoose: "이유를 선택해 주세요",
    rateReasonsLoading: "이유 목록을 불러오는 중…",
    rateComment: "의견(선택 사항)",
    rateCommentHint: "최대 2,000자",
    rateSend: "보내기",
    rateCancel: "취소",
    rateSending: "평가를 보내는 중…",
    rateNeedReason: "이유를 선택해 주세요.",
    rateThanksHelpful: "감사합니다. 이 답변이 도움이 되었다고 평가해 주셨습니다.",
    rateThanksUnhelpful: "감사합니다. 이 답변이 도움이 되지 않았다고 평가해 주셨습니다.",
    rateFailed: "평가를 보내지 못했습니다: {detail}",
    rateOffline: "평가를 보내지 못했습니다: 연결이 끊어져 있습니다. 잠시 후 다시 시도해 주세요.",
    rateAlready: "이미 평가하신 답변입니다.",
    kindAttachment: "공유된 파일",
    attachmentDownload: "다운로드",
    attachmentDownloading: "다운로드 중…",
    attachmentFailed: "다운로드하지 못했습니다: {detail}",
    attachmentPreview: "{name} 미리 보기",
    mediaTour: "360° 가상 투어",
    mediaMap: "지도",
    newTab: "(새 탭에서 열림)",
    surveyOfferTitle: "상담은 어떠셨습니까?",
    surveyOfferText:
      "몇 분이면 끝나는 짧은 설문에 참여해 주시면 더 나은 상담을 준비하는 데 큰 도움이 됩니다. 시간을 내 주셔서 감사합니다.",
    surveyOfferButton: "상담에 대한 의견 남기기",
  },
  zh: {
    noticeRead: "我已阅读",
    bannerDismiss: "关闭",
    brandSub: "线上投资者会谈",
    skipToComposer: "跳至消息输入框",
    languageLabel: "语言",
    retryNow: "立即重连",
    leave: "离开",
    leaveConfirm: "确定离开会谈吗？会谈进行期间，您可以使用同一链接重新加入。",
    prejoinTitle: "加入会谈",
    prejoinText: "诚邀您参加与广宁省投资促进与支持局的会谈。",
    prejoinRecorded: "本次会谈将被记录。加入后，将立即显示关于会谈记录和AI助理的完整说明。",
    prejoinLanguage: "会谈显示语言",
    joinButton: "加入会谈",
    rejoin: "重新加入",
    home: "首页",
    agency: "广宁省投资促进与支持局",
    participants: "参会人员",
    conversation: "对话",
    noticeTitle: "会谈记录与AI助理说明",
    empty: "暂无消息。",
    newMessages: "新消息 ↓",
    composerLabel: "您的消息",
    placeholder: "输入消息…",
    composerHint: "按 Enter 发送 · Shift+Enter 换行",
    send: "发送",
    ask: "向助理提问",
    askHint: "AI助理依据本机构的文件作答并注明出处；工作人员可能会先审核回答。",
    bannerReviewing: "助理已拟好回答，工作人员正在审核，审核后显示。",
    bannerHandover: "转由专人处理：{desk}将跟进您的问题。",
    bannerHandoverNoDesk: "转由专人处理：工作人员将跟进您的问题。",
    serviceUnavailable:
      "服务器目前无法保存消息。您发送的消息将在服务器恢复后得到确认，您也可以届时重新发送。刷新页面后可能会连接到另一台服务器。",
    serviceBack: "消息已恢复正常保存。",
    caughtUp: "已重新连接 · 已补收错过的{n}条内容",
    caughtUpNone: "已重新连接 · 没有错过任何内容",
    source: "出处",
    passage: "摘录",
    termsButton: "术语（{count}）",
    connConnecting: "正在连接…",
    connLive: "已连接",
    connReconnecting: "正在重新连接…",
    connWait: "{s} 秒",
    connOffline: "连接已断开",
    connEnded: "会谈已结束",
    connLeft: "已离开",
    you: "您",
    online: "在线",
    offline: "离线",
    muted: "已禁言",
    role_officer: "工作人员",
    role_investor: "投资者",
    role_assistant: "AI助理",
    role_reviewer: "审阅人员",
    kindQuestion: "向助理提问",
    textRedacted: "内容已删除",
    q_reviewing: "工作人员正在审核回答…",
    q_answered: "已回答",
    q_rejected: "此问题将由工作人员回答",
    q_handed_over: "已转交专人处理",
    original: "原文（{lang}）",
    provOriginal: "原文 · {lang}",
    provUntranslated: "原文 · {lang} · 本次会谈未提供自动翻译",
    provMachine: "机器翻译 · {engine}",
    provPhrasebook: "本局标准用语",
    provHuman: "由{name}翻译",
    provHumanRole: "由{name}（{role}）翻译",
    editedBy: "已由{name}修改",
    replies: "对此问题的回答",
    role_interpreter: "译员",
    newAnswer: "新回答 ↑",
    sources: "出处",
    contactTitle: "此问题的联系人",
    sending: "正在发送…",
    sent: "已发送",
    retry: "重新发送",
    edit: "编辑",
    discard: "删除",
    errMuted: "未发送：您在本次会谈中已被禁言。",
    errForbidden: "未发送：不允许此操作（{detail}）。",
    errEnded: "未发送：会谈已结束。",
    errRateLimited: "未发送：短时间内发送的消息过多，请稍候再重新发送。",
    errUnavailable: "未发送：服务器未能保存该消息，请重新发送。",
    errBadRequest: "未发送：消息被拒绝（{detail}）。",
    errGeneric: "未发送：{detail}",
    mutedNote: "工作人员已将您禁言：您仍可查看对话，但暂时无法发送消息。",
    endedNote: "会谈已结束，无法再发送消息。",
    endedBanner: "本次会谈已结束，感谢您的参与。对话记录由本局保存。",
    sysJoined: "{name} 加入了会谈",
    sysLeft: "{name} 离开了会谈",
    sysMuted: "{by} 已将 {name} 禁言",
    sysUnmuted: "{name} 已解除禁言",
    sysRemoved: "{name} 已被移出会谈",
    sysYouMuted: "{by} 已将您禁言",
    sysYouUnmuted: "您已被解除禁言",
    sysEnded: "{by} 结束了会谈",
    stopNoInviteTitle: "缺少邀请码",
    stopNoInviteText:
      "请打开本局发送给您的专属邀请链接——链接以“#”加邀请码结尾。如果是手动复制的链接，请检查是否完整。",
    stopRemovedTitle: "您已不在本次会谈中",
    stopRemovedText: "工作人员已将您移出会谈。如您认为有误，请与本局联系。",
    stopRevokedTitle: "邀请已被撤回",
    stopRevokedText: "本局已撤回此邀请链接。如需新链接，请与本局联系。",
    stopExpiredTitle: "邀请已过期",
    stopExpiredText: "此邀请链接已超过有效期。如需新链接，请与本局联系。",
    stopInvalidTitle: "邀请链接无法使用",
    stopInvalidText: "该链接无效或已失效。请确认您打开的是收到的完整链接，或与本局联系获取新链接。",
    stopRateTitle: "尝试次数过多",
    stopRateText: "您所在网络的失败连接次数过多。请等待一分钟后刷新页面。",
    lobbyTitle: "您已进入等候室",
    lobbyText: "本局工作人员稍后将邀请您进入会谈，请勿关闭本页面。",
    stopDeclinedTitle: "您未获准参加本次会谈",
    stopDeclinedText: "工作人员未批准您的参会请求。如您认为有误，请与本局联系。",
    stopLeftTitle: "您已离开会谈",
    stopLeftText: "会谈进行期间，您可以重新加入。",
    detail: "技术信息：{detail}",
    invitationTitle: "您的邀请函",
    invitationWhen: "时间：{when}",
    invitationDeclined: "您已告知本局无法出席，我们将不再向您发送提醒。",
    invitationDecline: "我无法出席",
    invitationAttend: "我仍可出席",
    invitationTranscript: "会谈结束后通过电子邮件向我发送会议记录",
    invitationEmail: "您的电子邮件地址",
    invitationSave: "保存",
    invitationSaved: "已保存。",
    invitationFailed: "未能保存：{detail}",
    invitationNeedsEmail: "请输入接收会议记录的电子邮件地址。",
    meetingFallback: "会谈",
    rateQuestion: "此回答对您有帮助吗？",
    rateHelpful: "有帮助",
    rateUnhelpful: "没有帮助",
    rateReason: "此回答有哪些不足？",
    rateReasonChoose: "请选择原因",
    rateReasonsLoading: "正在加载原因…",
    rateComment: "意见（选填）",
    rateCommentHint: "不超过2000字",
    rateSend: "提交",
    rateCancel: "取消",
    rateSending: "正在提交评价…",
    rateNeedReason: "请选择一个原因。",
    rateThanksHelpful: "感谢您的评价！您已将此回答评为“有帮助”。",
    rateThanksUnhelpful: "感谢您的评价！您已将此回答评为“没有帮助”。",
    rateFailed: "评价未能提交：{detail}",
    rateOffline: "评价未能提交：连接已断开，请稍后再试。",
    rateAlready: "您已评价过此回答。",
    kindAttachment: "共享文件",
    attachmentDownload: "下载",
    attachmentDownloading: "正在下载…",
    attachmentFailed: "下载失败：{detail}",
    attachmentPreview: "{name} 预览",
    mediaTour: "360度虚拟参观",
    mediaMap: "地图",
    newTab: "（在新标签页中打开）",
    surveyOfferTitle: "您对本次会谈有何评价？",
    surveyOfferText: "诚邀您花几分钟填写一份简短问卷，帮助本局更好地筹备今后的会谈。感谢您抽出宝贵时间。",
    surveyOfferButton: "填写会谈问卷",
  },
};

// ---------------------------------------------------------------------------
// State

const STORAGE = { code: "ipa.invite", joined: "ipa.joined" };

const state = {
  code: "",
  machineEngine: undefined, // welcome.machineTranslation.engine: a name, null (none), undefined (not said)
  lang: "en",
  everWelcomed: false, // a welcome with the invite's session arrived
  you: null,
  sessionId: null,
  sessionTitle: "",
  notice: "",
  participants: new Map(), // id -> participant
  events: new Map(), // seq -> event as received (for re-rendering)
  elements: new Map(), // seq -> <li>
  muted: false,
  ended: false,
  phase: "idle", // idle | connecting | live | reconnecting | stopped | left | ended
  retryAt: 0, // when the reconnect the conversation scheduled is due
  countdownTimer: 0,
  banner: null, // { key, kind } — the meeting has ended
  questions: new Map(), // question seq -> reviewing | answered | rejected | handed_over
  handover: null, // the contact of the latest hand-over, while it is the latest word
  handoverSeq: 0, // the answer that made the latest hand-over
  bannerDismissed: "", // the identity of the banner the reader dismissed
  noticeFoldedByPage: false, // the next toggle of the notice is the page's, not the reader's
  connNoteTimer: 0,
  storeDown: false, // this connection's server said it cannot store messages (`service` frame)
  ratings: new Map(), // answer seq -> the investor's own `rating` event
  rateForms: new Map(), // answer seq -> { open, reason, comment, pending, error } while not rated
  reasons: new Map(), // UI language -> { list: [{id, text}] | null, failed, promise }
  thumbs: new Map(), // attachment id -> Promise of an ImageBitmap, or a short-lived link, or null
};

/** The conversation with the server (conversation.js): made at start once there are a code
 *  and a language. */
let client = null;

const $ = (id) => document.getElementById(id);
const ui = {
  conn: $("conn"),
  connText: $("conn-text"),
  connRetry: $("conn-retry"),
  connNote: $("conn-note"),
  lang: $("lang"),
  langField: $("lang").closest("label"),
  leave: $("leave"),
  prejoin: $("view-prejoin"),
  prejoinLang: $("prejoin-lang"),
  joinButton: $("join-button"),
  stop: $("view-stop"),
  stopTitle: $("stop-title"),
  stopText: $("stop-text"),
  stopDetail: $("stop-detail"),
  stopRejoin: $("stop-rejoin"),
  meeting: $("view-meeting"),
  title: $("session-title"),
  people: $("people"),
  notice: $("notice"),
  noticeText: $("notice-text"),
  noticeRead: $("notice-read"),
  bannerText: $("banner-text"),
  bannerDismiss: $("banner-dismiss"),
  greeting: $("greeting"),
  greetingFrom: $("greeting-from"),
  greetingText: $("greeting-text"),
  banner: $("banner"),
  serviceBanner: $("service-banner"),
  log: $("log"),
  empty: $("empty"),
  events: $("events"),
  outbox: $("outbox"),
  jump: $("jump"),
  composer: $("composer"),
  text: $("composer-text"),
  send: $("send"),
  ask: $("ask"),
  note: $("composer-note"),
  side: document.querySelector(".meeting .side"),
  surveyOffer: $("survey-offer"),
  surveyLink: $("survey-link"),
  invitation: {
    panel: $("invitation"),
    when: $("invitation-when"),
    attendance: $("invitation-attendance"),
    decline: $("invitation-decline"),
    attend: $("invitation-attend"),
    form: $("invitation-form"),
    transcript: $("invitation-transcript"),
    emailField: $("invitation-email-field"),
    email: $("invitation-email"),
    status: $("invitation-status"),
  },
};

/** The investor's answers about their invitation (invitation.js), once there is a code. */
let invitation = null;

/** Keeps the log at its end while the reader is there (one layout read per frame). */
const follower = new LogFollower(ui.log, () => {
  ui.jump.hidden = false;
});

function t(key, values) {
  const table = STRINGS[state.lang] || STRINGS.en;
  const template = key in table ? table[key] : STRINGS.en[key] ?? key;
  return values ? format(template, values) : template;
}

// ---------------------------------------------------------------------------
// Storage (sessionStorage may be unavailable: private modes, sandboxed frames)

function sessionGet(key) {
  try {
    return window.sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function sessionSet(key, value) {
  try {
    if (value === null) window.sessionStorage.removeItem(key);
    else window.sessionStorage.setItem(key, value);
  } catch {
    // Not remembered; a reload then needs the link again.
  }
}

// ---------------------------------------------------------------------------
// Start

function readInviteCode() {
  let fromHash = location.hash.replace(/^#/, "");
  try {
    fromHash = decodeURIComponent(fromHash).trim();
  } catch {
    fromHash = fromHash.trim();
  }
  if (fromHash) {
    if (sessionGet(STORAGE.code) !== fromHash) sessionSet(STORAGE.joined, null);
    sessionSet(STORAGE.code, fromHash);
    // Keep the code out of the address bar, history and bookmarks.
    history.replaceState(history.state, "", location.pathname + location.search);
    return fromHash;
  }
  return sessionGet(STORAGE.code) || "";
}

function start() {
  state.code = readInviteCode();
  const joinedLang = sessionGet(STORAGE.joined);
  state.lang = isLanguage(joinedLang) ? joinedLang : initialLanguage();
  if (state.code) {
    client = makeConversation();
    invitation = new InvitationPanel({ elements: ui.invitation, code: () => state.code, t, lang: () => state.lang });
    invitation.load();
  }
  fillLanguageSelect(ui.lang, state.lang);
  fillLanguageSelect(ui.prejoinLang, state.lang);
  applyLanguage();

  ui.prejoinLang.addEventListener("change", () => setLanguage(ui.prejoinLang.value));
  ui.lang.addEventListener("change", () => setLanguage(ui.lang.value));
  ui.joinButton.addEventListener("click", join);
  ui.stopRejoin.addEventListener("click", join);
  ui.connRetry.addEventListener("click", () => reconnectNow());
  ui.leave.addEventListener("click", leave);
  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submitComposer("say");
  });
  ui.ask.addEventListener("click", () => submitComposer("ask"));
  ui.text.addEventListener("keydown", onComposerKey);
  ui.bannerDismiss.addEventListener("click", dismissBanner);
  ui.noticeRead.addEventListener("click", () => {
    markNoticeRead();
    ui.notice.querySelector("summary").focus();
  });
  ui.notice.addEventListener("toggle", () => {
    // Folded by the reader: read. Folded by the page (a phone, writing, the end): not.
    if (state.noticeFoldedByPage) {
      state.noticeFoldedByPage = false;
      return;
    }
    if (!ui.notice.open && state.sessionId && !noticeWasRead()) markNoticeRead();
  });
  ui.text.addEventListener("focus", () => {
    // On a phone the notice would leave little room to write: fold it (its title stays
    // visible and reopens it) once the investor starts writing.
    if (!state.noticeFolded && window.matchMedia("(max-width: 52rem)").matches) {
      state.noticeFolded = true;
      foldNoticeByPage();
    }
  });
  ui.log.addEventListener("scroll", () => {
    if (isNearBottom() && !state.jumpTo) ui.jump.hidden = true;
  });
  ui.jump.addEventListener("click", () => {
    const target = state.jumpTo && state.elements.get(state.jumpTo);
    state.jumpTo = 0;
    if (target) {
      target.scrollIntoView({ block: "center" });
      target.tabIndex = -1;
      target.focus({ preventScroll: true });
    } else {
      scrollToBottom();
    }
    ui.jump.hidden = true;
    ui.jump.textContent = t("newMessages");
  });
  window.addEventListener("online", () => {
    if (state.phase === "reconnecting") reconnectNow();
  });
  window.addEventListener("hashchange", () => {
    if (location.hash.length > 1) location.reload();
  });

  if (!state.code) {
    showStop("stopNoInviteTitle", "stopNoInviteText");
  } else if (joinedLang) {
    join(); // a reload of a page that had joined: go straight back in
  } else {
    showView("prejoin");
    ui.joinButton.focus();
  }
}

// ---------------------------------------------------------------------------
// Views and language

function showView(name) {
  const waiting = name === "prejoin-waiting";
  ui.prejoin.hidden = !name.startsWith("prejoin");
  ui.joinButton.disabled = waiting;
  ui.prejoinLang.disabled = waiting;
  ui.stop.hidden = name !== "stop";
  ui.meeting.hidden = name !== "meeting";
  ui.langField.hidden = name.startsWith("prejoin");
  ui.leave.hidden = name !== "meeting" || state.ended;
  // The invitation's answers sit under the join button before joining, beside the
  // conversation after.
  if (name.startsWith("prejoin")) ui.prejoin.append(ui.invitation.panel);
  else if (name === "meeting") ui.side.append(ui.invitation.panel);
}

function showStop(titleKey, textKey, detail = "", canRejoin = false) {
  state.stop = { titleKey, textKey, detail, canRejoin };
  renderStop();
  showView("stop");
  ui.stopTitle.focus();
}

function renderStop() {
  if (!state.stop) return;
  const { titleKey, textKey, detail, canRejoin } = state.stop;
  ui.stop.classList.toggle("error", titleKey !== "stopLeftTitle" && titleKey !== "lobbyTitle");
  ui.stopTitle.textContent = t(titleKey);
  ui.stopText.textContent = t(textKey);
  ui.stopDetail.textContent = detail ? t("detail", { detail }) : "";
  ui.stopDetail.hidden = !detail;
  ui.stopRejoin.hidden = !canRejoin;
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  applyStrings(document, STRINGS[state.lang] || STRINGS.en);
  ui.text.placeholder = t("placeholder");
  ui.lang.value = state.lang;
  ui.prejoinLang.value = state.lang;
  updateTitle();
  renderConn();
  renderStop();
  renderBanner();
  renderServiceBanner();
  renderComposerState();
  renderPeople();
  invitation?.render();
  renderSurveyOffer();
  for (const [seq] of state.events) rerenderEvent(seq);
  for (const clientId of pendingItems().keys()) renderPending(clientId);
}

function setLanguage(lang) {
  if (!isLanguage(lang) || lang === state.lang) return;
  state.lang = lang;
  rememberLanguage(lang);
  applyLanguage();
  // The language of the next hello (the reader may pick one on the pre-join page too).
  if (client) client.language = lang;
  if (state.everWelcomed && !state.ended && state.phase !== "stopped" && state.phase !== "left") {
    // The server renders the notice, translations and glossary terms for the language of
    // the hello: reconnect with the new language and load the conversation again.
    sessionSet(STORAGE.joined, lang);
    clearConversation();
    client.restart({ reset: true, reason: "language change" });
  }
}

function updateTitle() {
  const base = "Quảng Ninh IPA";
  document.title = state.sessionTitle ? `${state.sessionTitle} — ${base}` : `${t("brandSub")} — ${base}`;
}

// ---------------------------------------------------------------------------
// Connection (the protocol itself is conversation.js's)

/** The meeting's connection, made once the page has an invite code. */
function makeConversation() {
  const conversation = new Conversation({
    url: socketURL(),
    token: state.code,
    language: state.lang,
    mode: "resume",
    dropKinds: ["draft"], // for officers only: never shown here, even if one arrived
  });
  conversation
    .on("connecting", onConnecting)
    .on("welcome", onWelcome)
    .on("event", ({ event }) => onEvent(event))
    .on("caughtup", onCaughtUp)
    .on("outbox", onOutbox)
    .on("translation", onTranslation)
    .on("redacted", ({ seq }) => dropRedacted(seq))
    .on("presence", ({ participant }) => upsertParticipant(participant))
    .on("service", onService)
    .on("admitted", () => {
      state.stop = null; // the welcome that follows opens the meeting
    })
    .on("rated", onRated)
    .on("error", onError)
    .on("closed", onClosed)
    .on("retry", onRetry);
  return conversation;
}

/** The outbox: messages not yet acknowledged (empty before the first join). */
function pendingItems() {
  return client ? client.outbox : new Map();
}

function join() {
  state.stop = null;
  state.ended = false;
  renderSurveyOffer();
  sessionSet(STORAGE.joined, state.lang);
  if (state.everWelcomed) showView("meeting");
  client.start();
}

function onConnecting() {
  // The warning was about the previous connection's server: this one may be another, or
  // the same one working again; it says so after its welcome if it still cannot store.
  setStoreDown(false);
  setPhase(state.everWelcomed ? "reconnecting" : "connecting");
  if (!state.everWelcomed) showView("prejoin-waiting");
}

function onClosed(closed) {
  // closeVerdict: a 1008 that says the reader was too slow is a plain reconnect.
  switch (closeVerdict(closed, { ended: state.ended })) {
    case "left": // our own close after `leave`
      showLeft();
      break;
    case "refused":
      stopForGood(closed.message || closed.reason || "");
      break;
    case "ended":
      client.stop();
      setPhase("ended");
      break;
    default:
      break; // the conversation has scheduled a reconnect (onRetry)
  }
}

function showLeft() {
  setPhase("left");
  sessionSet(STORAGE.joined, null);
  showStop("stopLeftTitle", "stopLeftText", "", !state.ended);
}

/** Close code 1008: unauthorized, removed, or invite revoked. Never reconnect. */
function stopForGood(reason) {
  // A welcome without a session (a staff token in the link): this page has no use for
  // that connection.
  client.stop({ reason: "not an invite" });
  setPhase("stopped");
  sessionSet(STORAGE.joined, null);
  const text = reason.toLowerCase();
  let key = "Invalid";
  if (text.includes("removed")) key = "Removed";
  else if (text.includes("declined") || text.includes("before an officer let you in")) key = "Declined";
  else if (/invite (was )?revoked/.test(text)) key = "Revoked";
  else if (text.includes("expired")) key = "Expired";
  else if (text.includes("too many") || text.includes("rate")) key = "Rate";
  if (key !== "Rate") sessionSet(STORAGE.code, null);
  showStop(`stop${key}Title`, `stop${key}Text`, reason);
}

function onRetry({ at }) {
  state.retryAt = at;
  clearInterval(state.countdownTimer);
  state.countdownTimer = setInterval(renderConn, 1000);
  setPhase("reconnecting");
  if (!state.everWelcomed) showView("prejoin-waiting");
}

function reconnectNow() {
  if (!client || state.phase === "stopped" || state.phase === "left" || state.ended) return;
  client.reconnectNow();
}

function setPhase(phase) {
  state.phase = phase;
  if (phase !== "reconnecting" || !(client && client.waiting)) clearInterval(state.countdownTimer);
  renderConn();
  renderComposerState();
  // Presence is only known while connected.
  ui.people.classList.toggle("stale", phase !== "live" && phase !== "ended");
}

function renderConn() {
  const phase = state.phase;
  ui.conn.hidden = phase === "idle";
  const waiting = phase === "reconnecting" && Boolean(client && client.waiting);
  const shown = { connecting: "connecting", live: "live", reconnecting: "reconnecting" }[phase] || "offline";
  ui.conn.dataset.state = phase === "ended" || phase === "left" ? "idle" : shown;
  const label = {
    connecting: "connConnecting",
    live: "connLive",
    reconnecting: "connReconnecting",
    stopped: "connOffline",
    ended: "connEnded",
    left: "connLeft",
  }[phase];
  // #conn is a live region and this runs every second while a reconnect is counted down:
  // the label is only rewritten when it changes, so it is announced once, and the
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
      count = document.createElement("span");
      count.className = "countdown";
      count.setAttribute("aria-hidden", "true");
      ui.connText.append(count);
    }
    count.textContent = ` (${t("connWait", { s: seconds })})`;
  } else if (count) {
    count.remove();
  }
  ui.connRetry.hidden = !waiting;
}

// ---------------------------------------------------------------------------
// Frames from the server

// The server removed an event's text (docs/protocol.md, "Redaction"): the page drops it too,
// with its translation and terms, and says so in the reader's language.
function dropRedacted(seq) {
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

function onWelcome({ frame, first, sessionChanged }) {
  const session = frame.session;
  if (!session || !session.id) {
    stopForGood("");
    return;
  }
  state.everWelcomed = true;
  state.you = frame.you || null;
  if (sessionChanged) clearConversation();
  state.sessionId = session.id;
  state.agent = typeof session.agent === "string" ? session.agent : "";
  recallRatings();
  state.sessionTitle = session.title || t("meetingFallback");
  state.notice = typeof frame.notice === "string" ? frame.notice : "";
  // null: no provider translates whole messages here; undefined: an older server did not say.
  state.machineEngine = machineEngineOf(frame);
  state.participants.clear();
  for (const participant of Array.isArray(session.participants) ? session.participants : []) {
    state.participants.set(participant.id, participant);
  }
  if (state.you && !state.participants.has(state.you.id)) state.participants.set(state.you.id, state.you);
  const me = state.you && state.participants.get(state.you.id);
  if (me) me.online = session.status !== "ended" && session.status !== "cancelled";
  state.muted = Boolean(me && me.muted);
  if (session.status === "ended") markEnded();
  // The meeting may have started, moved or ended since the page read the invitation.
  if (first) invitation?.load();

  ui.title.textContent = state.sessionTitle;
  if (frame.lobby === true) {
    // In the lobby: nothing of the conversation until an officer lets the investor in.
    setPhase("live");
    showStop("lobbyTitle", "lobbyText");
    return;
  }
  ui.noticeText.textContent = state.notice;
  ui.notice.hidden = !state.notice;
  // Open the first time; once read (its button, or folded by hand) it starts folded.
  if (first) {
    const read = noticeWasRead();
    if (ui.notice.open === read) state.noticeFoldedByPage = true; // its toggle is the page's
    ui.notice.open = !read;
  }
  // The agent's greeting, in the investor's language, opens the conversation.
  const greeting = typeof frame.greeting === "string" ? frame.greeting.trim() : "";
  ui.greetingText.textContent = greeting;
  ui.greetingFrom.textContent = typeof frame.assistantName === "string" ? frame.assistantName : "";
  ui.greeting.hidden = !greeting;
  updateTitle();
  renderPeople();
  ui.log.setAttribute("aria-busy", "true");
  setPhase(state.ended ? "ended" : "live");
  showView("meeting");
  if (first) ui.title.focus(); // move keyboard and screen-reader users into the meeting
}

/** The history is complete; after a resume, how many events it brought back. */
function onCaughtUp({ resumed, missed }) {
  ui.log.setAttribute("aria-busy", "false");
  // A rating sent just before the connection dropped and not in the history was not
  // stored: the buttons come back so it can be given again.
  for (const [seq, form] of state.rateForms) {
    if (form.pending && !state.ratings.has(seq)) {
      form.pending = "";
      renderRate(seq);
    }
  }
  if (resumed) showCaughtUp(missed);
}

function onEvent(event) {
  state.events.set(event.seq, event);
  applyEventToState(event);

  if (event.kind === "rating") {
    onRating(event);
    return;
  }
  if (event.kind === "status") {
    updateQuestionState(event.about, event.state);
    state.questions.set(event.about, event.state);
    if (event.state === "handed_over" && !state.handover) state.handover = {};
    renderBanner();
    return;
  }
  if (event.kind === "answer") {
    // The latest answer decides: a hand-over contact, or an answer that needs no person.
    state.handover = event.contact && typeof event.contact === "object" ? event.contact : null;
    if (state.handover) state.handoverSeq = event.seq;
    renderBanner();
  }
  const mine = Boolean(state.you && event.from && event.from.id === state.you.id);
  const element = renderEvent(event);
  if (element) {
    follower.willAdd(mine);
    insertInOrder(element, event.seq);
    if (element.classList.contains("reply") && ui.log.getAttribute("aria-busy") !== "true") pointToReply(event.seq);
  }
  updateEmpty();
}

function applyEventToState(event) {
  const from = event.from || {};
  switch (event.kind) {
    case "joined":
      if (from.id && !state.participants.has(from.id)) {
        upsertParticipant({
          id: from.id,
          role: from.role,
          name: from.name,
          language: event.language,
          online: true,
          muted: false,
        });
      }
      break;
    case "moderation": {
      const target = state.participants.get(event.target);
      if (event.action === "mute" || event.action === "unmute") {
        const muted = event.action === "mute";
        if (target) upsertParticipant({ ...target, muted });
        else if (state.you && event.target === state.you.id) setMuted(muted);
      } else if (event.action === "remove" && target) {
        state.participants.delete(event.target);
        renderPeople();
      }
      break;
    }
    case "ended":
      markEnded();
      // The invitation's answers are for a meeting to come: read again, the panel goes.
      if (invitation?.invitation?.session?.status !== "ended") invitation?.load();
      break;
    default:
      break;
  }
}

/** What happened to a message of the outbox. */
function onOutbox({ clientId, item, change }) {
  if (change === "removed") {
    removePendingElement(clientId);
    return;
  }
  if (change === "failed") {
    if (item.code === "forbidden" && (/muted/i.test(item.detail) || state.muted)) setMuted(true);
    else if (item.code === "conflict") markEnded();
  }
  renderPending(clientId);
  if (change === "queued") updateEmpty();
}

/** A translation of an event already shown (one arriving first is kept by the conversation). */
function onTranslation({ seq, own, applied }) {
  if (own && applied) rerenderEvent(seq);
}

/** `service`: the server lost or regained its database. */
function onService({ down, back }) {
  if (!down && back) showConnNote(t("serviceBack"));
  setStoreDown(down);
}

function setStoreDown(down) {
  state.storeDown = down;
  renderServiceBanner();
}

/** Apart from the meeting's banner: the investor must see both, e.g. an answer in review
 *  that cannot be published while the database is away. */
function renderServiceBanner() {
  ui.serviceBanner.hidden = !state.storeDown;
  // role="alert": set the words only when they change, so they are announced once.
  const text = state.storeDown ? t("serviceUnavailable") : "";
  if (ui.serviceBanner.textContent !== text) ui.serviceBanner.textContent = text;
}

/** An error that is not about a message of the outbox (`unauthorized` closes the socket). */
function onError({ code, message, action }) {
  if (typeof action === "string" && action.startsWith("rate:")) {
    onRateError(Number(action.slice("rate:".length)), code, message);
    return;
  }
  if (code === "conflict") {
    markEnded();
    return;
  }
  if (code === "forbidden" && /muted/i.test(message)) {
    setMuted(true);
    return;
  }
  if (code === "rate_limited") {
    showComposerNote(t("errRateLimited"));
  }
}

// ---------------------------------------------------------------------------
// Participants

function upsertParticipant(participant) {
  if (!participant || !participant.id) return;
  const known = state.participants.get(participant.id) || {};
  const merged = { ...known, ...participant };
  if (state.ended) merged.online = false;
  state.participants.set(participant.id, merged);
  if (state.you && participant.id === state.you.id && typeof participant.muted === "boolean") {
    setMuted(participant.muted);
  }
  renderPeople();
}

function setMuted(muted) {
  if (state.muted === muted) return;
  state.muted = muted;
  if (state.you) {
    const me = state.participants.get(state.you.id);
    if (me) me.muted = muted;
  }
  renderPeople();
  renderComposerState();
}

const ROLE_ORDER = { officer: 0, assistant: 1, investor: 2 };

function renderPeople() {
  const people = [...state.participants.values()].filter((p) => p.role !== "reviewer");
  people.sort(
    (a, b) =>
      (ROLE_ORDER[a.role] ?? 3) - (ROLE_ORDER[b.role] ?? 3) ||
      String(a.name).localeCompare(String(b.name), state.lang),
  );
  ui.people.replaceChildren(
    ...people.map((p) => {
      const item = document.createElement("li");
      item.className = "person" + (p.online ? " online" : "");
      const dot = document.createElement("span");
      dot.className = "dot";
      dot.setAttribute("aria-hidden", "true");
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = p.name || "—";
      if (state.you && p.id === state.you.id) {
        const you = document.createElement("span");
        you.className = "you";
        you.textContent = ` (${t("you")})`;
        who.append(you);
      }
      const status = document.createElement("span");
      status.className = "visually-hidden";
      status.textContent = `, ${t(p.online ? "online" : "offline")}`;
      who.append(status);
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.append(badge(p.role));
      if (p.muted) {
        const tag = document.createElement("span");
        tag.className = "tag muted";
        tag.textContent = t("muted");
        meta.append(tag);
      }
      item.append(dot, who, meta);
      if (p.muted) {
        // On narrow screens the meta line is hidden; keep "muted" readable next to the name.
        item.title = t("muted");
      }
      return item;
    }),
  );
}

function badge(role) {
  const element = document.createElement("span");
  element.className = `badge ${["officer", "investor", "assistant"].includes(role) ? role : ""}`;
  element.textContent = t(`role_${role}`);
  return element;
}

// ---------------------------------------------------------------------------
// Events in the log

function nameOf(id, fallback) {
  if (state.you && id === state.you.id) return state.you.name || fallback;
  const participant = state.participants.get(id);
  return (participant && participant.name) || fallback || "—";
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

function renderEvent(event) {
  switch (event.kind) {
    case "message":
    case "question":
    case "answer":
      return renderMessage(event);
    case "joined":
    case "left":
    case "moderation":
    case "ended":
      return renderSystem(event);
    case "attachment":
      return renderAttachment(event);
    case "rating":
      return null; // shown on the answer it rates, and only to the one who gave it
    default:
      return typeof event.text === "string" ? renderMessage(event) : null;
  }
}

function renderMessage(event) {
  if (event.redacted) {
    // Rendered as an empty message whose body then says the text was removed.
    const item = renderMessage({ ...event, redacted: false, text: "", terms: [], translation: undefined, citations: undefined, contact: undefined, media: undefined });
    const body = item.querySelector(".msg-body");
    if (body) body.replaceChildren(redactedNote());
    return item;
  }
  const from = event.from || {};
  const mine = state.you && from.id === state.you.id;
  const item = document.createElement("li");
  item.className = `msg ${event.kind} ${from.role === "assistant" ? "assistant" : ""} ${mine ? "mine" : ""}`.replace(/\s+/g, " ").trim();
  item.dataset.seq = String(event.seq);

  const head = document.createElement("div");
  head.className = "msg-head";
  const author = document.createElement("span");
  author.className = "msg-author";
  author.textContent = from.name || nameOf(from.id);
  head.append(author, badge(from.role), timeElement(event.at));

  const body = document.createElement("div");
  body.className = "msg-body";
  if (event.kind === "question") {
    const label = document.createElement("span");
    label.className = "kind-label";
    label.textContent = t("kindQuestion");
    body.append(label);
  }
  // What this reader is shown: the original, or a translation (machine, phrasebook, person).
  const reading = readingOf(event, state.lang);
  const translated = reading.kind !== "original";
  const main = document.createElement("div");
  main.className = "msg-text";
  if (reading.language) main.lang = writtenLanguage(reading.text, reading.language);
  let marked = [];
  if (translated) main.textContent = reading.text;
  else marked = appendWithTerms(main, reading.text, event.terms);
  body.append(main);
  body.append(renderProvenance(event, reading));
  if (translated) {
    const original = document.createElement("details");
    original.className = "original";
    const summary = document.createElement("summary");
    summary.textContent = t("original", { lang: languageName(event.language, state.lang) });
    const text = document.createElement("p");
    text.lang = writtenLanguage(event.text, event.language || "");
    marked = appendWithTerms(text, event.text || "", event.terms);
    original.append(summary, text);
    body.append(original);
  }
  const terms = termsDisclosure(marked, (count) => t("termsButton", { count }), event.language, state.lang);
  if (terms) body.append(terms);

  if (Array.isArray(event.citations) && event.citations.length > 0) body.append(renderCitations(event.citations));
  if (event.contact && typeof event.contact === "object") body.append(renderContact(event.contact));
  if (event.kind === "answer" && Array.isArray(event.media)) {
    const media = renderMedia(event.media);
    if (media) body.append(media);
  }
  if (event.kind === "question") {
    const q = document.createElement("span");
    q.className = "q-state";
    q.hidden = true;
    body.append(q);
  }
  item.append(head, body);
  if (isMyAnswer(event)) item.append(rateBlock(event.seq));
  if (event.kind === "question") {
    // Its answers are shown under it (`replyTo`), whenever they come.
    const replies = document.createElement("ol");
    replies.className = "replies";
    replies.setAttribute("aria-label", t("replies"));
    item.append(replies);
  }
  return item;
}

/** The question an answer replies to: `replyTo`, else (older events) `about`. */
/** A quiet line under the text: where it comes from (original in which language, machine
 *  translation by which engine, the phrasebook, or who translated it), and who edited an
 *  approved answer. */
function renderProvenance(event, reading) {
  const line = document.createElement("p");
  line.className = "provenance";
  const source = document.createElement("span");
  source.className = "prov-source";
  source.dataset.provenance = reading.kind;
  const translation = reading.translation || {};
  if (reading.kind === "machine") {
    source.dataset.engine = String(translation.engine || "");
    source.textContent = t("provMachine", { engine: translation.engine || "?" });
  } else if (reading.kind === "phrasebook") {
    source.textContent = t("provPhrasebook");
  } else if (reading.kind === "human") {
    const by = translation.by && typeof translation.by === "object" ? translation.by : {};
    const name = by.name || nameOf(by.id, "—");
    source.dataset.by = String(by.id || "");
    const roleKey = `role_${by.role}`;
    // The role inside a sentence: lower case where the language has case ("Traduit par Lan (interprète)").
    const role = by.role && roleKey in STRINGS.en ? t(roleKey).toLocaleLowerCase(state.lang) : "";
    source.textContent = role ? t("provHumanRole", { name, role }) : t("provHuman", { name });
  } else {
    // Another language than the reader's and no provider: say plainly that nothing translates it.
    const foreign = event.language && primaryLanguage(event.language) !== primaryLanguage(state.lang);
    const key = foreign && state.machineEngine === null ? "provUntranslated" : "provOriginal";
    source.dataset.untranslated = String(key === "provUntranslated");
    source.textContent = t(key, { lang: languageName(event.language, state.lang) || "—" });
  }
  line.append(source);
  if (event.kind === "answer" && event.edited && event.editedBy && typeof event.editedBy === "object") {
    const edited = document.createElement("span");
    edited.className = "prov-edited";
    edited.textContent = t("editedBy", { name: event.editedBy.name || nameOf(event.editedBy.id, "—") });
    line.append(edited);
  }
  return line;
}


function renderCitations(citations) {
  const box = document.createElement("div");
  box.className = "citations";
  const heading = document.createElement("h3");
  heading.className = "box-title";
  heading.textContent = t("sources");
  const list = document.createElement("ol");
  for (const citation of citations) {
    // Numbered like the [n] markers of the answer; opens to the passage and its source.
    const item = document.createElement("li");
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = citation.title || citation.source || "—"; // never a document id: investors read titles
    details.append(summary);
    if (citation.passage) {
      const passage = document.createElement("blockquote");
      passage.className = "passage";
      passage.textContent = citation.passage;
      details.append(passage);
    }
    const source = typeof citation.source === "string" ? citation.source : "";
    if (source) {
      const line = document.createElement("p");
      line.className = "source";
      line.append(`${t("source")}: `);
      if (isWebAddress(source)) {
        const link = document.createElement("a");
        link.href = source;
        link.rel = "noopener noreferrer";
        link.target = "_blank";
        link.textContent = source;
        line.append(link);
      } else {
        line.append(source);
      }
      details.append(line);
    }
    item.append(details);
    list.append(item);
  }
  box.append(heading, list);
  return box;
}

function renderContact(contact) {
  const box = document.createElement("div");
  box.className = "contact";
  const heading = document.createElement("h3");
  heading.className = "box-title";
  heading.textContent = t("contactTitle");
  const line = document.createElement("p");
  line.textContent = [contact.name, contact.role, contact.organisation].filter(Boolean).join(" · ");
  box.append(heading, line);
  if (Array.isArray(contact.languages) && contact.languages.length > 0) {
    const languages = document.createElement("p");
    languages.textContent = contact.languages.map((code) => languageName(code, state.lang)).join(", ");
    box.append(languages);
  }
  return box;
}

function renderSystem(event) {
  const from = event.from || {};
  const item = document.createElement("li");
  item.className = `sys ${event.kind}`;
  item.dataset.seq = String(event.seq);
  const byName = from.name || nameOf(from.id);
  const isMe = (id) => state.you && id === state.you.id;
  let text = "";
  switch (event.kind) {
    case "joined":
      text = t("sysJoined", { name: byName });
      break;
    case "left":
      text = t("sysLeft", { name: byName });
      break;
    case "ended":
      text = t("sysEnded", { by: byName });
      break;
    case "moderation": {
      const target = event.targetName || nameOf(event.target);
      if (event.action === "mute") text = isMe(event.target) ? t("sysYouMuted", { by: byName }) : t("sysMuted", { by: byName, name: target });
      else if (event.action === "unmute") text = isMe(event.target) ? t("sysYouUnmuted") : t("sysUnmuted", { name: target });
      else if (event.action === "remove") text = t("sysRemoved", { name: target });
      else return null;
      break;
    }
    default:
      return null;
  }
  const span = document.createElement("span");
  span.textContent = text;
  item.append(span, timeElement(event.at));
  return item;
}

function rerenderEvent(seq) {
  const event = state.events.get(seq);
  const old = state.elements.get(seq);
  if (!event || !old) return;
  const fresh = renderEvent(event);
  if (!fresh) return;
  const questionState = old.querySelector(":scope > .msg-body .q-state");
  const freshState = fresh.querySelector(":scope > .msg-body .q-state");
  if (questionState && freshState && questionState.dataset.state) setQuestionState(freshState, questionState.dataset.state);
  // A translation arriving (or a language change) must not fold what the reader opened
  // (sources, the original) nor drop keyboard focus to the page.
  const keyed = (root) => {
    const counts = new Map();
    const keys = new Map();
    for (const node of root.querySelectorAll("details, summary, .term[tabindex], a[href]")) {
      if (node.closest(".replies") && root.querySelector(":scope > .replies")?.contains(node)) continue;
      const kind =
        node.tagName === "DETAILS" ? `details.${node.className}`
        : node.tagName === "SUMMARY" ? `summary.${node.parentElement.className}`
        : node.tagName === "A" ? "link"
        : "term";
      const n = counts.get(kind) || 0;
      counts.set(kind, n + 1);
      keys.set(`${kind}#${n}`, node);
    }
    return keys;
  };
  const before = keyed(old);
  const after = keyed(fresh);
  let focusKey = null;
  for (const [key, node] of before) {
    if (node.tagName === "DETAILS" && node.open && after.has(key)) after.get(key).open = true;
    if (node === document.activeElement) focusKey = key;
  }
  const replies = old.querySelector(":scope > .replies");
  const focusInReplies = replies && replies.contains(document.activeElement) ? document.activeElement : null;
  // The rating block keeps what the reader chose and typed (and the focus) while a
  // translation re-renders its answer; a new language builds it again from state.
  const oldRate = old.querySelector(":scope > .rate");
  const freshRate = fresh.querySelector(":scope > .rate");
  const keepRate = Boolean(oldRate && freshRate && oldRate.dataset.lang === state.lang);
  const focusInRate = oldRate && oldRate.contains(document.activeElement) ? document.activeElement : null;
  if (keepRate) freshRate.replaceWith(oldRate);
  const hadFocus = !focusInReplies && !focusInRate && old.contains(document.activeElement);
  // Answers shown under a question stay as they are (their own re-renders replace them).
  const freshReplies = fresh.querySelector(":scope > .replies");
  if (replies && freshReplies) freshReplies.replaceWith(replies);
  if (replies) replies.setAttribute("aria-label", t("replies"));
  if (old.classList.contains("reply")) fresh.classList.add("reply");
  old.replaceWith(fresh);
  state.elements.set(seq, fresh);
  if (hadFocus) (after.get(focusKey) || ui.log).focus({ preventScroll: true });
  if (focusInReplies) focusInReplies.focus({ preventScroll: true });
  if (focusInRate) {
    const key = focusInRate.dataset.key;
    const target = keepRate ? focusInRate : rateFocusTarget(fresh.querySelector(":scope > .rate"), key);
    if (target) target.focus({ preventScroll: true });
  }
}

/** An answer shown under a question further up: once laid out, when it is out of sight,
 *  the jump button says so and leads there. */
function pointToReply(seq) {
  requestAnimationFrame(() => {
    const element = state.elements.get(seq);
    if (!element) return;
    const box = element.getBoundingClientRect();
    const view = ui.log.getBoundingClientRect();
    if (box.bottom > view.top && box.top < view.bottom) return;
    state.jumpTo = seq;
    ui.jump.textContent = t("newAnswer");
    ui.jump.hidden = false;
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

function updateQuestionState(about, questionState) {
  const element = state.elements.get(about);
  const label = element && element.querySelector(".q-state");
  if (label) setQuestionState(label, questionState);
}

function setQuestionState(label, questionState) {
  const key = `q_${questionState}`;
  if (!(key in STRINGS.en)) return;
  label.dataset.state = questionState;
  label.textContent = t(key);
  label.hidden = false;
}


function markEnded() {
  if (state.ended) return;
  state.ended = true;
  // Nobody is in a meeting that ended, this reader included.
  for (const [id, p] of state.participants) state.participants.set(id, { ...p, online: false });
  renderPeople();
  state.banner = { key: "endedBanner", kind: "info" };
  sessionSet(STORAGE.joined, null);
  renderBanner();
  if (state.phase === "live") setPhase("ended");
  renderComposerState();
  ui.leave.hidden = true;
  client.failWaiting("conflict", "");
  renderSurveyOffer();
  refreshRateBlocks();
}

function clearConversation() {
  state.jumpTo = 0;
  state.questions.clear();
  state.handover = null;
  state.events.clear();
  state.elements.clear();
  state.ratings.clear();
  state.rateForms.clear();
  ui.events.replaceChildren();
  updateEmpty();
}

/** One banner, most important first: the meeting ended, a person takes over, an answer in review. */
function renderBanner() {
  let banner = state.banner;
  if (!banner && state.handover) {
    const desk = state.handover.name;
    banner = desk ? { text: t("bannerHandover", { desk }), kind: "info" } : { key: "bannerHandoverNoDesk", kind: "info" };
  }
  if (!banner && [...state.questions.values()].includes("reviewing")) banner = { key: "bannerReviewing", kind: "warn" };
  // A dismissed banner stays away until something new happens: another kind of banner,
  // another hand-over (its answer's seq), another question in review.
  const reviewing = [...state.questions].filter(([, value]) => value === "reviewing").map(([seq]) => seq);
  const moment = !banner ? "" : banner.key === "bannerReviewing" ? Math.max(...reviewing) : banner.key === "endedBanner" ? "" : state.handoverSeq;
  const identity = banner ? `${banner.key || "bannerHandover"}:${moment}` : "";
  const wasHidden = ui.banner.hidden;
  // Dismissed: hidden while it is the same banner about nothing newer (a question answered
  // meanwhile does not bring back the one about an older question).
  const [dismissedKey, dismissedAt] = state.bannerDismissed.split(":");
  const seen = banner && dismissedKey === (banner.key || "bannerHandover") && Number(moment || 0) <= Number(dismissedAt || 0);
  ui.banner.hidden = !banner || seen;
  if (!banner || ui.banner.hidden) return;
  // Shown again after a dismissal: said again (an alert is announced when its text changes).
  if (wasHidden && ui.banner.dataset.identity !== identity) ui.bannerText.textContent = "";
  ui.banner.className = `banner ${banner.kind}`;
  ui.banner.dataset.banner = banner.key || "bannerHandover";
  ui.banner.dataset.identity = identity;
  // role="alert": rewriting the same words (every status or answer calls this) would
  // announce them again.
  const text = banner.text || t(banner.key);
  if (ui.bannerText.textContent !== text) ui.bannerText.textContent = text;
}

function dismissBanner() {
  state.bannerDismissed = ui.banner.dataset.identity || "";
  ui.banner.hidden = true;
  ui.log.focus({ preventScroll: true }); // not the text box: a phone would open its keyboard
}

/** Folds the notice without taking it as read (its toggle event is told so). */
function foldNoticeByPage() {
  if (!ui.notice.open) return;
  state.noticeFoldedByPage = true;
  ui.notice.open = false;
}

/** The notice was read: folded, and folded on the next visit to this meeting too. */
function markNoticeRead() {
  state.noticeFolded = true;
  ui.notice.open = false;
  try {
    window.localStorage.setItem(`ipa.noticeRead.${state.sessionId}`, "1");
  } catch {
    // Storage disabled: folded for this visit only.
  }
}

function noticeWasRead() {
  try {
    return window.localStorage.getItem(`ipa.noticeRead.${state.sessionId}`) === "1";
  } catch {
    return false;
  }
}

/** After a resume: how many events the history brought back, shown for a few seconds. */
function showCaughtUp(missed) {
  showConnNote(missed > 0 ? t("caughtUp", { n: missed }) : t("caughtUpNone"));
  ui.connNote.dataset.missed = String(missed);
}

/** A short note beside the connection status, gone after a few seconds. */
function showConnNote(text) {
  clearTimeout(state.connNoteTimer);
  ui.connNote.textContent = text;
  delete ui.connNote.dataset.missed;
  ui.connNote.hidden = false;
  state.connNoteTimer = setTimeout(() => {
    ui.connNote.hidden = true;
  }, 8000);
}

function updateEmpty() {
  ui.empty.hidden = ui.events.childElementCount + ui.outbox.childElementCount > 0;
}

function isNearBottom() {
  return follower.atEnd();
}

function scrollToBottom() {
  follower.scrollToEnd();
}

function onComposerKey(event) {
  if (event.key !== "Enter" || event.shiftKey || event.altKey) return;
  if (event.isComposing || event.keyCode === 229) return; // confirming an IME candidate (ja, ko, zh)
  event.preventDefault();
  submitComposer();
}

function canWrite() {
  return state.everWelcomed && !state.ended && !state.muted && state.phase !== "stopped" && state.phase !== "left";
}

function submitComposer(kind) {
  const text = ui.text.value;
  if (!text.trim() || !canWrite()) return;
  ui.text.value = "";
  showComposerNote("");
  // Not connected: the message waits, "sending…", and goes out after the next catch-up.
  client.submit({ type: kind === "ask" ? "ask" : "say", text }, { kind, text });
  scrollToBottom();
}

/** What a failed message's status line says, in the reader's current language. */
function pendingError(item) {
  const { code, detail } = item;
  if (code === "forbidden" && state.muted) return t("errMuted");
  const texts = {
    forbidden: () => t("errForbidden", { detail }),
    conflict: () => t("errEnded"),
    rate_limited: () => t("errRateLimited"),
    unavailable: () => t("errUnavailable"),
    bad_request: () => t("errBadRequest", { detail }),
  };
  return texts[code]?.() ?? t("errGeneric", { detail: detail || code });
}

function renderPending(clientId) {
  const item = pendingItems().get(clientId);
  if (!item) return;
  const element = ui.outbox.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
  const fresh = document.createElement("li");
  fresh.className = `msg mine pending${item.status === "failed" ? " failed" : ""}`;
  fresh.dataset.clientId = clientId;

  const head = document.createElement("div");
  head.className = "msg-head";
  const author = document.createElement("span");
  author.className = "msg-author";
  author.textContent = (state.you && state.you.name) || t("you");
  head.append(author, badge("investor"));

  const body = document.createElement("div");
  body.className = "msg-body";
  if (item.kind === "ask") {
    const label = document.createElement("span");
    label.className = "kind-label";
    label.textContent = t("kindQuestion");
    body.append(label);
  }
  body.append(item.text);

  const status = document.createElement("div");
  status.className = "msg-status";
  status.textContent =
    item.status === "failed" ? pendingError(item) : item.status === "sent" ? t("sent") : t("sending");
  if (item.status === "failed") status.setAttribute("role", "alert");
  fresh.append(head, body, status);

  if (item.status === "failed") {
    const actions = document.createElement("div");
    actions.className = "msg-actions";
    // Retry and Edit only while the investor may write (not muted, meeting not ended).
    if (canWrite() && item.code !== "conflict") actions.append(actionButton(t("retry"), () => retryPending(clientId)));
    if (canWrite()) actions.append(actionButton(t("edit"), () => editPending(clientId), true));
    actions.append(actionButton(t("discard"), () => client.discard(clientId), true));
    fresh.append(actions);
  }
  const hadFocus = element && element.contains(document.activeElement);
  if (element) element.replaceWith(fresh);
  else ui.outbox.append(fresh);
  if (hadFocus) (fresh.querySelector("button") || ui.text).focus();
}

function actionButton(label, onClick, secondary = false) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = `button small${secondary ? " secondary" : ""}`;
  button.textContent = label;
  button.addEventListener("click", onClick);
  return button;
}

function retryPending(clientId) {
  if (!pendingItems().has(clientId) || !canWrite()) {
    renderComposerState();
    return;
  }
  client.retry(clientId); // same clientId: a duplicate is never stored twice
}

function editPending(clientId) {
  const item = pendingItems().get(clientId);
  if (!item) return;
  // An edited text is a new message, so it gets a new clientId when sent.
  ui.text.value = ui.text.value ? `${ui.text.value}\n${item.text}` : item.text;
  client.discard(clientId);
  ui.text.focus();
}

/** A message left the outbox (stored and shown in the log, or discarded). */
function removePendingElement(clientId) {
  const element = ui.outbox.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
  if (element) {
    const hadFocus = element.contains(document.activeElement);
    element.remove();
    if (hadFocus) ui.text.focus();
  }
  updateEmpty();
}

function renderComposerState() {
  const writable = canWrite();
  ui.text.disabled = !writable;
  ui.send.disabled = !writable;
  ui.ask.disabled = !writable;
  for (const [clientId, item] of pendingItems()) {
    if (item.status === "failed") renderPending(clientId);
  }
  if (state.ended) showComposerNote(t("endedNote"));
  else if (state.muted) showComposerNote(t("mutedNote"));
  else if (ui.note.dataset.sticky !== "1") showComposerNote("");
}

function showComposerNote(text, sticky = false) {
  ui.note.textContent = text;
  ui.note.dataset.sticky = sticky ? "1" : "";
}

// ---------------------------------------------------------------------------
// Ratings, shared files and zone media (issue 19)

/** An answer to a question this investor asked (`about`): the one they may rate. */
function isMyAnswer(event) {
  if (event.kind !== "answer" || !state.you) return false;
  const about = Number.isInteger(event.about) ? event.about : replyTarget(event);
  const question = state.events.get(about);
  return Boolean(question && question.kind === "question" && question.from && question.from.id === state.you.id);
}

/** Whether a rating can be given now (the meeting still open, the page in it). */
function canRate() {
  return state.everWelcomed && !state.ended && state.phase !== "stopped" && state.phase !== "left";
}

/** A `rating` event: shown on the answer it rates, only when this investor gave it. */
function onRating(event) {
  const mine = Boolean(state.you && event.from && event.from.id === state.you.id);
  if (!mine || !Number.isInteger(event.about)) return;
  state.ratings.set(event.about, event);
  state.rateForms.delete(event.about);
  renderRate(event.about);
}

/** The server stored this investor's rating (its ack): ratings themselves go to officers only. */
function onRated({ seq, rating, reason, comment }) {
  if (!Number.isInteger(seq)) return;
  state.ratings.set(seq, { kind: "rating", about: seq, rating, reason, comment });
  state.rateForms.delete(seq);
  renderRate(seq);
  rememberRatings();
}

/** This tab's ratings, kept so a reload still shows them (the history does not carry them). */
function ratingsKey() {
  return `ipa.ratings.${state.sessionId}`;
}

function rememberRatings() {
  try {
    const kept = {};
    for (const [seq, given] of state.ratings) kept[seq] = given.rating;
    sessionStorage.setItem(ratingsKey(), JSON.stringify(kept));
  } catch {
    // Storage refused (private mode, quota): the thanks show until the page is left.
  }
}

function recallRatings() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(ratingsKey()) || "{}");
    for (const [seq, rating] of Object.entries(kept)) {
      const about = Number(seq);
      if (Number.isInteger(about) && (rating === "helpful" || rating === "unhelpful") && !state.ratings.has(about)) {
        state.ratings.set(about, { kind: "rating", about, rating });
      }
    }
  } catch {
    // Nothing kept, or unreadable: the buttons show, and the server refuses a second rating.
  }
}

/** The rating block under an answer (`div.rate`), built from state. */
function rateBlock(seq) {
  const block = document.createElement("div");
  block.className = "rate";
  block.dataset.seq = String(seq);
  fillRate(block, seq);
  return block;
}

/** Builds the rating block of answer `seq` again where it is shown, keeping the focus on
 *  the same control (or on the line that says what happened). */
function rateBlockOf(seq) {
  const element = state.elements.get(seq);
  return (element && element.querySelector(":scope > .rate")) || null;
}

function renderRate(seq) {
  const block = rateBlockOf(seq);
  if (!block) return;
  // Same shape (buttons, form open or not, same language): only states and the status line
  // change, so what the reader is using stays where it is.
  if (block.dataset.shape === rateShape(seq) && block.dataset.lang === state.lang) {
    patchRate(block, seq);
    return;
  }
  const focused = block.contains(document.activeElement) ? document.activeElement.dataset.key || "status" : null;
  fillRate(block, seq);
  if (focused) rateFocusTarget(block, focused)?.focus({ preventScroll: true });
}

/** What a rating block holds: the thanks, the buttons with or without the form, or nothing. */
function rateShape(seq) {
  const given = state.ratings.get(seq);
  if (given) return `rated:${given.rating}`;
  if (!canRate()) return "closed";
  return state.rateForms.get(seq)?.open ? "form" : "buttons";
}

function patchRate(block, seq) {
  const form = state.rateForms.get(seq) || { open: false, pending: "", error: "" };
  const focusedButton = block.contains(document.activeElement) && document.activeElement.tagName === "BUTTON";
  for (const button of block.querySelectorAll(".rate-button")) {
    const key = button.dataset.rating;
    const pressed = key === "helpful" ? form.pending === "helpful" : form.open || form.pending === "unhelpful";
    button.setAttribute("aria-pressed", String(Boolean(pressed)));
    if (key === "unhelpful") button.setAttribute("aria-expanded", String(Boolean(form.open)));
    button.disabled = Boolean(form.pending);
  }
  for (const button of block.querySelectorAll(".rate-actions button")) button.disabled = Boolean(form.pending);
  const status = block.querySelector(".rate-status");
  if (status) {
    status.dataset.state = form.error ? "error" : form.pending ? "sending" : "";
    const text = form.error || (form.pending ? t("rateSending") : "");
    if (status.textContent !== text) status.textContent = text;
    // A control the reader was on is disabled now: the status line says what happens.
    if (focusedButton && form.pending) status.focus({ preventScroll: true });
  }
}

/** The control of a rating block to focus after it was built again. */
function rateFocusTarget(block, key) {
  if (!block) return null;
  const same = key ? block.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  if (same && !same.disabled) return same;
  return block.querySelector(".rate-thanks, .rate-status:not(:empty)") || block.querySelector("button:not(:disabled)");
}

function refreshRateBlocks() {
  for (const block of ui.events.querySelectorAll(".rate")) renderRate(Number(block.dataset.seq));
}

function fillRate(block, seq) {
  block.dataset.lang = state.lang;
  block.dataset.shape = rateShape(seq);
  block.replaceChildren();
  const given = state.ratings.get(seq);
  if (given) {
    const thanks = document.createElement("p");
    thanks.className = "rate-thanks";
    thanks.dataset.rating = String(given.rating);
    thanks.tabIndex = -1;
    thanks.textContent = t(given.rating === "helpful" ? "rateThanksHelpful" : "rateThanksUnhelpful");
    block.append(thanks);
    return;
  }
  // Not rated, and the meeting over: nothing to offer (the server takes no more writes).
  if (!canRate()) return;
  const form = state.rateForms.get(seq) || { open: false, reason: "", comment: "", pending: "", error: "" };
  loadReasons(state.lang); // ready by the time "Not helpful" is chosen
  const formId = `rate-form-${seq}`;

  const group = document.createElement("div");
  group.className = "rate-buttons";
  group.setAttribute("role", "group");
  const label = document.createElement("span");
  label.className = "rate-label";
  label.id = `rate-label-${seq}`;
  label.textContent = t("rateQuestion");
  group.setAttribute("aria-labelledby", label.id);
  const helpful = rateButton("helpful", t("rateHelpful"), form.pending === "helpful");
  const unhelpful = rateButton("unhelpful", t("rateUnhelpful"), form.open || form.pending === "unhelpful");
  unhelpful.setAttribute("aria-expanded", String(Boolean(form.open)));
  unhelpful.setAttribute("aria-controls", formId);
  helpful.disabled = unhelpful.disabled = Boolean(form.pending);
  helpful.addEventListener("click", () => {
    const current = rateForm(seq);
    current.open = false;
    sendRating(seq, "helpful");
  });
  unhelpful.addEventListener("click", () => {
    const current = rateForm(seq);
    current.open = !current.open;
    current.error = "";
    renderRate(seq);
    const shown = rateBlockOf(seq);
    if (current.open && shown) {
      const select = shown.querySelector("select");
      (select && !select.disabled ? select : shown.querySelector("textarea"))?.focus();
    }
  });
  group.append(label, helpful, unhelpful);
  block.append(group);

  if (form.open) block.append(rateFormElement(seq, form, formId));

  const status = document.createElement("p");
  status.className = "rate-status";
  status.tabIndex = -1;
  status.setAttribute("role", "status");
  status.dataset.state = form.error ? "error" : form.pending ? "sending" : "";
  status.textContent = form.error || (form.pending ? t("rateSending") : "");
  block.append(status);
}

function rateButton(key, text, pressed) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "rate-button";
  button.dataset.key = key;
  button.dataset.rating = key;
  button.setAttribute("aria-pressed", String(Boolean(pressed)));
  button.textContent = text;
  return button;
}

/** The state of the rating form of answer `seq` (made on first use). */
function rateForm(seq) {
  let form = state.rateForms.get(seq);
  if (!form) {
    form = { open: false, reason: "", comment: "", pending: "", error: "" };
    state.rateForms.set(seq, form);
  }
  return form;
}

/** "Not helpful": a reason from the pack's list and an optional comment. */
function rateFormElement(seq, form, formId) {
  const element = document.createElement("form");
  element.className = "rate-form";
  element.id = formId;
  element.noValidate = true;

  const reasonField = document.createElement("div");
  reasonField.className = "rate-field";
  const reasonLabel = document.createElement("label");
  reasonLabel.htmlFor = `rate-reason-${seq}`;
  reasonLabel.textContent = t("rateReason");
  const select = document.createElement("select");
  select.id = `rate-reason-${seq}`;
  select.dataset.key = "reason";
  select.addEventListener("change", () => {
    const current = rateForm(seq);
    current.reason = select.value;
    if (current.error && select.value) {
      current.error = "";
      renderRate(seq);
    }
  });
  fillReasons(select, form.reason);
  reasonField.append(reasonLabel, select);

  const commentField = document.createElement("div");
  commentField.className = "rate-field";
  const commentLabel = document.createElement("label");
  commentLabel.htmlFor = `rate-comment-${seq}`;
  commentLabel.textContent = t("rateComment");
  const comment = document.createElement("textarea");
  comment.id = `rate-comment-${seq}`;
  comment.dataset.key = "comment";
  comment.rows = 3;
  comment.maxLength = 2000;
  comment.value = form.comment || "";
  const hint = document.createElement("span");
  hint.className = "rate-hint";
  hint.id = `rate-comment-hint-${seq}`;
  hint.textContent = t("rateCommentHint");
  comment.setAttribute("aria-describedby", hint.id);
  comment.addEventListener("input", () => {
    rateForm(seq).comment = comment.value;
  });
  commentField.append(commentLabel, comment, hint);

  const actions = document.createElement("div");
  actions.className = "rate-actions";
  const send = document.createElement("button");
  send.type = "submit";
  send.className = "button small";
  send.dataset.key = "send";
  send.textContent = t("rateSend");
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "button small secondary";
  cancel.dataset.key = "cancel";
  cancel.textContent = t("rateCancel");
  cancel.addEventListener("click", () => closeRateForm(seq));
  actions.append(send, cancel);
  send.disabled = cancel.disabled = Boolean(form.pending);

  element.append(reasonField, commentField, actions);
  element.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeRateForm(seq);
    }
  });
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    const current = rateForm(seq);
    current.reason = select.value;
    current.comment = comment.value;
    const reasons = state.reasons.get(state.lang);
    // A reason from the list when there is one; without a list (it could not be read),
    // the rating goes without.
    if (!current.reason && reasons && Array.isArray(reasons.list) && reasons.list.length > 0) {
      current.error = t("rateNeedReason");
      renderRate(seq);
      rateFocusTarget(rateBlockOf(seq), "reason")?.focus();
      return;
    }
    sendRating(seq, "unhelpful", current.reason, current.comment.trim());
  });
  return element;
}

function closeRateForm(seq) {
  const form = rateForm(seq);
  form.open = false;
  form.error = "";
  renderRate(seq);
  rateFocusTarget(rateBlockOf(seq), "unhelpful")?.focus();
}

function sendRating(seq, rating, reason = "", comment = "") {
  const form = rateForm(seq);
  form.error = "";
  if (!client || !state.sessionId || !client.rate(seq, rating, { reason, comment: comment.slice(0, 2000) })) {
    form.error = t("rateOffline");
  } else {
    form.pending = rating;
  }
  renderRate(seq);
  const block = rateBlockOf(seq);
  if (block && !block.contains(document.activeElement)) block.querySelector(".rate-status")?.focus({ preventScroll: true });
}

/** The server refused a rating (`error` after `rate`). */
function onRateError(seq, code, message) {
  if (!Number.isInteger(seq)) return;
  if (state.ratings.has(seq)) return;
  const form = rateForm(seq);
  form.pending = "";
  if (code === "conflict" && /ended/i.test(message)) {
    markEnded();
    return;
  }
  form.error = code === "conflict" ? t("rateAlready") : t("rateFailed", { detail: message || code });
  renderRate(seq);
}

/** The pack's reasons for "not helpful", in the page's language (read once per language). */
function loadReasons(lang) {
  let entry = state.reasons.get(lang);
  if (entry && (entry.list || entry.promise)) return entry;
  entry = { list: null, failed: false, promise: null };
  state.reasons.set(lang, entry);
  // The session's own pack: its reasons are the ones the server accepts.
  const agent = state.agent ? `&agent=${encodeURIComponent(state.agent)}` : "";
  entry.promise = fetch(`/v1/rating-reasons?language=${encodeURIComponent(lang)}${agent}`, {
    headers: { Accept: "application/json" },
    cache: "no-store",
    credentials: "omit",
  })
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))))
    .then((body) => {
      const reasons = Array.isArray(body && body.reasons) ? body.reasons : [];
      entry.list = reasons
        .filter((reason) => reason && typeof reason.id === "string" && reason.id)
        .map((reason) => ({ id: reason.id, text: typeof reason.text === "string" && reason.text ? reason.text : reason.id }));
    })
    .catch(() => {
      entry.failed = true;
      entry.list = [];
    })
    .finally(() => {
      entry.promise = null;
      for (const select of ui.events.querySelectorAll(".rate-form select")) {
        if (state.lang === lang) fillReasons(select, select.value || rateForm(Number(select.closest(".rate").dataset.seq)).reason);
      }
    });
  return entry;
}

function fillReasons(select, chosen) {
  const entry = loadReasons(state.lang);
  const first = document.createElement("option");
  first.value = "";
  first.textContent = entry.list ? t("rateReasonChoose") : t("rateReasonsLoading");
  const options = [first];
  for (const reason of entry.list || []) {
    const option = document.createElement("option");
    option.value = reason.id;
    option.textContent = reason.text;
    option.selected = reason.id === chosen;
    options.push(option);
  }
  select.replaceChildren(...options);
  select.disabled = !entry.list || entry.list.length === 0;
  select.required = !select.disabled;
}

/** Pictures, 360° tours and maps of the documents an answer cites (`media`). */
function renderMedia(media) {
  const items = media.filter((item) => item && typeof item === "object").slice(0, 8);
  const cards = [];
  for (const item of items) {
    const image = isImageAddress(item.image) ? item.image : "";
    const tour = isWebAddress(item.tour) ? item.tour : "";
    const map = isWebAddress(item.map) ? item.map : "";
    const caption = typeof item.caption === "string" ? item.caption : "";
    const title = typeof item.title === "string" ? item.title : "";
    if (!image && !tour && !map) continue;
    const card = document.createElement("figure");
    card.className = "media-card";
    if (item.document) card.dataset.document = String(item.document);
    if (image) {
      const img = document.createElement("img");
      img.className = "media-image";
      img.src = image;
      img.alt = caption || title;
      img.loading = "lazy";
      img.decoding = "async";
      // A picture that cannot be loaded leaves its caption and links.
      img.addEventListener("error", () => {
        img.hidden = true;
      });
      card.append(img);
    }
    const text = document.createElement("figcaption");
    if (title) {
      const name = document.createElement("span");
      name.className = "media-title";
      name.textContent = title;
      text.append(name);
    }
    if (caption) {
      const line = document.createElement("span");
      line.className = "media-caption";
      line.textContent = caption;
      text.append(line);
    }
    const links = document.createElement("span");
    links.className = "media-links";
    if (tour) links.append(newTabLink(tour, t("mediaTour"), "tour"));
    if (map) links.append(newTabLink(map, t("mediaMap"), "map"));
    if (links.childElementCount) text.append(links);
    card.append(text);
    cards.push(card);
  }
  if (!cards.length) return null;
  const box = document.createElement("div");
  box.className = "media";
  box.append(...cards);
  return box;
}

function newTabLink(href, text, kind) {
  const link = document.createElement("a");
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.className = `media-link ${kind}`;
  link.dataset.media = kind;
  link.append(text);
  const note = document.createElement("span");
  note.className = "visually-hidden";
  note.textContent = ` ${t("newTab")}`;
  link.append(note);
  return link;
}

const THUMBNAIL_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif", "image/svg+xml"]);

/** A file an officer shared (`attachment`): its name, type and size, a Download button,
 *  and a small picture of an image. */
function renderAttachment(event) {
  const file = event.attachment && typeof event.attachment === "object" ? event.attachment : null;
  if (!file) return null;
  const from = event.from || {};
  const mine = state.you && from.id === state.you.id;
  const name = typeof file.name === "string" && file.name ? file.name : "file";
  const type = typeof file.type === "string" ? file.type.toLowerCase() : "";
  const item = document.createElement("li");
  item.className = `msg attachment${mine ? " mine" : ""}`;
  item.dataset.seq = String(event.seq);
  if (file.id) item.dataset.attachment = String(file.id);

  const head = document.createElement("div");
  head.className = "msg-head";
  const author = document.createElement("span");
  author.className = "msg-author";
  author.textContent = from.name || nameOf(from.id);
  head.append(author, badge(from.role), timeElement(event.at));

  const body = document.createElement("div");
  body.className = "msg-body attachment-card";
  const label = document.createElement("span");
  label.className = "kind-label";
  label.textContent = t("kindAttachment");
  body.append(label);

  const row = document.createElement("div");
  row.className = "attachment-row";
  if (THUMBNAIL_TYPES.has(type) && isOwnOrigin(file.url)) row.append(attachmentThumb(file, name));
  const info = document.createElement("div");
  info.className = "attachment-info";
  const title = document.createElement("p");
  title.className = "attachment-name";
  title.id = `attachment-name-${event.seq}`;
  title.textContent = name;
  const meta = document.createElement("p");
  meta.className = "attachment-meta";
  meta.textContent = [fileTypeLabel(type), formatBytes(file.size, state.lang)].filter(Boolean).join(" · ");
  info.append(title, meta);
  row.append(info);
  body.append(row);

  const actions = document.createElement("div");
  actions.className = "attachment-actions";
  const download = document.createElement("button");
  download.type = "button";
  download.className = "button small";
  download.dataset.action = "download";
  download.textContent = t("attachmentDownload");
  download.setAttribute("aria-describedby", title.id);
  const status = document.createElement("p");
  status.className = "attachment-status";
  status.setAttribute("role", "status");
  download.addEventListener("click", () => downloadAttachment(file, name, download, status));
  if (!isOwnOrigin(file.url)) download.disabled = true;
  actions.append(download, status);
  body.append(actions);

  item.append(head, body);
  return item;
}

/** Fetches a shared file with the invite code (never sent to another origin). */
async function fetchAttachment(file) {
  if (!isOwnOrigin(file.url)) throw new Error("not this site");
  const response = await fetch(file.url, {
    headers: { Authorization: `Bearer ${state.code}` },
    cache: "no-store",
    credentials: "omit",
    referrerPolicy: "no-referrer",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.blob();
}

/** A short-lived address of the file that needs no header (`…/link`, 10 minutes). */
async function attachmentLink(file) {
  if (!isOwnOrigin(file.url)) throw new Error("not this site");
  const response = await fetch(`${file.url}/link`, {
    headers: { Authorization: `Bearer ${state.code}`, Accept: "application/json" },
    cache: "no-store",
    credentials: "omit",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = await response.json();
  if (!body || !isOwnOrigin(body.url)) throw new Error("no link");
  return body.url;
}

async function downloadAttachment(file, name, button, status) {
  if (button.getAttribute("aria-busy") === "true") return;
  button.setAttribute("aria-busy", "true");
  status.dataset.state = "busy";
  status.textContent = t("attachmentDownloading");
  try {
    let href;
    let revoke = false;
    try {
      href = URL.createObjectURL(await fetchAttachment(file));
      revoke = true;
    } catch (first) {
      // The file could not be read here (a proxy that drops the header, say): the browser
      // fetches it itself from a short-lived link.
      try {
        href = await attachmentLink(file);
      } catch {
        throw first;
      }
    }
    const link = document.createElement("a");
    link.href = href;
    link.download = name;
    link.rel = "noopener";
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    if (revoke) setTimeout(() => URL.revokeObjectURL(href), 60_000);
    status.dataset.state = "done";
    status.textContent = "";
  } catch (error) {
    status.dataset.state = "error";
    status.textContent = t("attachmentFailed", { detail: error.message || String(error) });
  } finally {
    button.removeAttribute("aria-busy");
  }
}

/** A small picture of a shared image, fetched with the invite code and drawn on a canvas
 *  (the page's policy allows no `blob:` image); where the browser cannot decode it (SVG),
 *  an image from a short-lived link. */
function attachmentThumb(file, name) {
  const box = document.createElement("div");
  box.className = "attachment-thumb";
  box.setAttribute("role", "img");
  box.setAttribute("aria-label", t("attachmentPreview", { name }));
  box.dataset.state = "loading";
  const key = String(file.id || file.url);
  if (!state.thumbs.has(key)) state.thumbs.set(key, loadThumb(file));
  state.thumbs.get(key).then((thumb) => {
    if (!thumb) {
      box.dataset.state = "none";
      box.hidden = true;
      return;
    }
    if (thumb.link) {
      const img = document.createElement("img");
      img.src = thumb.link;
      img.alt = "";
      img.addEventListener("load", () => {
        box.dataset.state = "drawn";
      });
      img.addEventListener("error", () => {
        box.hidden = true;
      });
      box.append(img);
      return;
    }
    const bitmap = thumb.bitmap;
    const scale = Math.min(1, 192 / bitmap.width, 144 / bitmap.height);
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    canvas.setAttribute("aria-hidden", "true");
    const context = canvas.getContext("2d");
    context.imageSmoothingQuality = "high";
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    box.append(canvas);
    box.dataset.state = "drawn";
  });
  return box;
}

async function loadThumb(file) {
  try {
    if (typeof createImageBitmap === "function" && file.type !== "image/svg+xml") {
      try {
        return { bitmap: await createImageBitmap(await fetchAttachment(file)) };
      } catch {
        // not readable or not decodable here: the link below
      }
    }
    return { link: await attachmentLink(file) };
  } catch {
    return null;
  }
}

/** Once the meeting has ended: the way to the survey, with the invite code. */
function renderSurveyOffer() {
  const show = state.ended && Boolean(state.code);
  ui.surveyOffer.hidden = !show;
  if (show) ui.surveyLink.href = `/survey#${encodeURIComponent(state.code)}`;
  if (show) foldNoticeOnPhone();
}

/** On a phone the open notice leaves little room: once the meeting has ended (nothing
 *  more to write, the survey to offer) it is folded, its title still there to reopen it. */
function foldNoticeOnPhone() {
  if (state.noticeFolded || !PHONE.matches) return;
  state.noticeFolded = true;
  foldNoticeByPage();
}

const PHONE = window.matchMedia("(max-width: 52rem)");
PHONE.addEventListener("change", () => {
  if (state.ended) foldNoticeOnPhone();
});

// ---------------------------------------------------------------------------
// Leaving

function leave() {
  if (!state.sessionId || state.ended) return;
  if (!window.confirm(t("leaveConfirm"))) return;
  client.send({ type: "leave", session: state.sessionId });
  // Give the server a moment to record the `left` event before closing (onClosed then
  // shows that the investor left); without a welcomed connection (still connecting, or
  // waiting to reconnect: no `leave` went out), the socket is dropped and it shows at once.
  if (!client.stop({ reason: "left", delayMs: 400 })) showLeft();
}

start();
