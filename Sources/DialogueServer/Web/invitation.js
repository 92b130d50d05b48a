// The investor's own answers about their invitation (docs/protocol.md, "The investor's
// answers"): the meeting's time in the reader's zone, "I cannot attend" before the start
// (no reminders then), and the transcript by e-mail after the meeting — with an address
// where the agency gave none. The page's strings and elements are given; this module only
// reads and answers `/v1/invitation` with the invite code.

import { createApi } from "/api.js";

/**
 * `elements`: { panel, when, attendance, decline, attend, form, transcript, emailField, email, status };
 * `code()`: the invite code; `t(key, values)`: the page's strings; `lang()`: the UI language.
 */
export class InvitationPanel {
  constructor({ elements, code, t, lang, fetch }) {
    this.ui = elements;
    this.t = t;
    this.lang = lang;
    this.api = createApi({ token: code, ...(fetch ? { fetch } : {}) });
    this.invitation = null; // GET /v1/invitation's answer, once read
    this.statusKey = null; // { key, values } of the last status line
    this.ui.decline.addEventListener("click", () => this.answer({ attending: false }));
    this.ui.attend.addEventListener("click", () => this.answer({ attending: true }));
    this.ui.transcript.addEventListener("change", () => this.render());
    this.ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveTranscript();
    });
  }

  /** Reads the invitation; the panel stays hidden when it cannot be read (a wrong code is
   *  the conversation's to tell). */
  async load() {
    try {
      this.invitation = await this.api("GET", "/v1/invitation", undefined, { signOutOn401: false });
    } catch {
      this.invitation = null;
    }
    this.render();
  }

  async answer(body) {
    this.setBusy(true);
    try {
      this.invitation = await this.api("PATCH", "/v1/invitation", body, { signOutOn401: false });
      this.statusKey = { key: "invitationSaved" };
    } catch (error) {
      this.statusKey = { key: "invitationFailed", values: { detail: error.message } };
    } finally {
      this.setBusy(false);
      this.render();
    }
  }

  saveTranscript() {
    const on = this.ui.transcript.checked;
    const body = { transcriptByMail: on };
    if (on && !this.invitation.email) {
      const address = this.ui.email.value.trim();
      if (!address || !this.ui.email.checkValidity()) {
        this.statusKey = { key: "invitationNeedsEmail" };
        this.render();
        this.ui.email.focus();
        return;
      }
      body.email = address;
    }
    this.answer(body);
  }

  setBusy(busy) {
    for (const control of [this.ui.decline, this.ui.attend, this.ui.transcript, this.ui.email]) control.disabled = busy;
    this.ui.form.querySelector("button[type=submit]").disabled = busy;
  }

  /** Shows what the invitation allows now, in the page's language. */
  render() {
    const invitation = this.invitation;
    const status = invitation?.session?.status;
    const open = status === "scheduled" || status === "live";
    this.ui.panel.hidden = !invitation || !open;
    if (this.ui.panel.hidden) return;
    const session = invitation.session;
    this.ui.when.textContent = session.startsAt ? this.t("invitationWhen", { when: this.when(session) }) : "";
    this.ui.when.hidden = !session.startsAt;
    // Attendance is answered before the meeting starts.
    const before = status === "scheduled";
    this.ui.attendance.hidden = !before || invitation.attending;
    this.ui.attendance.textContent = this.t("invitationDeclined");
    this.ui.decline.hidden = !before || !invitation.attending;
    this.ui.attend.hidden = !before || invitation.attending;
    if (document.activeElement !== this.ui.transcript) this.ui.transcript.checked ||= invitation.transcriptByMail;
    // An address is asked for only where the agency has none.
    this.ui.emailField.hidden = Boolean(invitation.email) || !this.ui.transcript.checked;
    this.ui.email.required = !this.ui.emailField.hidden;
    this.ui.status.textContent = this.statusKey ? this.t(this.statusKey.key, this.statusKey.values) : "";
  }

  /** The meeting's start and end in the reader's own zone and language. */
  when(session) {
    const start = new Date(session.startsAt);
    const end = new Date(session.endsAt);
    const locale = { vi: "vi-VN", en: "en-GB", fr: "fr-FR", ja: "ja-JP", ko: "ko-KR", zh: "zh-CN" }[this.lang()] || "en-GB";
    // The language's own way of writing a day and a span of hours (formatRange).
    const range = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short" }).formatRange(start, end);
    const zone = new Intl.DateTimeFormat(locale, { timeZoneName: "short" })
      .formatToParts(start)
      .find((part) => part.type === "timeZoneName")?.value;
    return zone ? `${range} (${zone})` : range;
  }
}
