// The conversation client (Sources/DialogueServer/Web/conversation.js) against a fake socket
// and a fake clock: contract section 4's hello/resume/join, outbox and acks, back-off,
// catch-up, errors with `ref`, translations before their event.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import {
  ACTION_WINDOW_MS,
  BACKOFF_MAX_MS,
  Conversation,
  RESTART_CLOSE_WAIT_MS,
  backoffDelay,
  closeVerdict,
} from "../../Sources/DialogueServer/Web/conversation.js";
import { FakeClock, FakeSocket } from "./fakes.js";

const SESSION = "ses_1";
const ME = { id: "inv_me", role: "investor", name: "Ana" };
const OFFICER = { id: "stf_1", role: "officer", name: "Lan" };

/** A conversation wired to fakes; `reports` collects every report as [type, detail]. */
function makeClient(options = {}) {
  const clock = new FakeClock();
  let ids = 0;
  const client = new Conversation({
    url: "ws://test/v1/ws",
    token: "inv_code",
    language: "en",
    WebSocket: FakeSocket,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    random: () => 0.5, // no jitter unless a test says otherwise
    newClientId: () => `c${++ids}`,
    ...options,
  });
  const reports = [];
  for (const type of [
    "connecting", "welcome", "event", "caughtup", "outbox", "translation", "presence", "redacted", "service", "error",
    "closed", "retry", "lobby", "admitted",
  ]) {
    client.on(type, (detail) => reports.push([type, detail]));
  }
  const of = (type) => reports.filter(([kind]) => kind === type).map(([, detail]) => detail);
  const seqs = () => of("event").map(({ event }) => event.seq);
  return { client, clock, reports, of, seqs };
}

function event(seq, fields = {}) {
  return { type: "event", session: SESSION, seq, kind: "message", from: OFFICER, text: `m${seq}`, language: "en", terms: [], ...fields };
}

function welcome(fields = {}) {
  return { type: "welcome", you: ME, session: { id: SESSION, title: "T", participants: [] }, protocol: 1, notice: "", ...fields };
}

function history(events, complete = true) {
  return { type: "history", session: SESSION, events: events.map(({ type, ...rest }) => rest), complete };
}

/** Opens the latest socket and welcomes it; returns the socket. */
function connectAndWelcome(frame = welcome()) {
  const ws = FakeSocket.latest();
  ws.open();
  ws.receive(frame);
  return ws;
}

beforeEach(() => FakeSocket.reset());

describe("hello, resume and join", () => {
  test("an investor says hello without resume first, then resumes after the last seq it saw", () => {
    const { client, clock } = makeClient();
    client.start();
    const first = FakeSocket.latest();
    first.open();
    assert.deepEqual(first.sent, [{ type: "hello", token: "inv_code", language: "en" }]);
    first.receive(welcome());
    first.receive(history([event(1), event(2)]));
    first.receive(event(3));
    first.drop(1006);

    clock.advance(BACKOFF_MAX_MS);
    const second = FakeSocket.latest();
    assert.notEqual(second, first);
    second.open();
    assert.deepEqual(second.sent, [
      { type: "hello", token: "inv_code", language: "en", resume: { session: SESSION, after: 3 } },
    ]);
  });

  test("staff join the given session after each welcome, with `after` once something was seen", () => {
    const { client, clock } = makeClient({ mode: "join", session: SESSION, token: "dst_x" });
    client.start();
    const first = connectAndWelcome(welcome({ you: OFFICER, session: null }));
    assert.deepEqual(first.sent, [
      { type: "hello", token: "dst_x", language: "en" },
      { type: "join", session: SESSION },
    ]);
    first.receive(history([event(1), event(4)]));
    first.drop(1001);
    clock.advance(BACKOFF_MAX_MS);
    const second = connectAndWelcome(welcome({ you: OFFICER, session: null }));
    assert.deepEqual(second.sentOf("join"), [{ type: "join", session: SESSION, after: 4 }]);
    assert.equal(second.sentOf("hello")[0].resume, undefined, "staff resume with join, not hello");
  });

  test("a page that stops from its welcome handler gets no join sent and no reconnect", () => {
    const { client, clock } = makeClient({ mode: "join", session: SESSION });
    client.on("welcome", () => client.stop());
    client.start();
    const ws = connectAndWelcome(welcome({ you: { id: "r", role: "reviewer" }, session: null }));
    assert.deepEqual(ws.sentOf("join"), []);
    assert.deepEqual(ws.closedWith, { code: 1000, reason: "closed" });
    ws.finishClose();
    clock.advance(10 * BACKOFF_MAX_MS);
    assert.equal(FakeSocket.made.length, 1);
  });

  test("a welcome into another session drops what was seen of the first", () => {
    const { client, clock, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([event(1), event(2)]));
    ws.drop();
    clock.advance(BACKOFF_MAX_MS);
    const next = connectAndWelcome(welcome({ session: { id: "ses_2", participants: [] } }));
    assert.equal(of("welcome").at(-1).sessionChanged, true);
    assert.equal(client.lastSeq, 0);
    assert.equal(client.session, "ses_2");
    next.receive({ type: "history", session: "ses_2", events: [{ session: "ses_2", seq: 1, kind: "message" }], complete: true });
    assert.equal(of("event").at(-1).event.session, "ses_2");
  });
});

describe("history then live", () => {
  test("every event once, in order, across overlapping history, live frames and a resume", () => {
    const { client, clock, seqs, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([event(1), event(2)], false));
    ws.receive(history([event(2), event(3)], true)); // overlap between history frames
    ws.receive(event(3)); // a live copy of the last history event
    ws.receive(event(4));
    assert.deepEqual(seqs(), [1, 2, 3, 4]);
    assert.deepEqual(
      of("event").map(({ fromHistory }) => fromHistory),
      [true, true, true, false],
    );
    ws.drop();
    clock.advance(BACKOFF_MAX_MS);
    const next = connectAndWelcome();
    next.receive(history([event(4), event(5), event(6)]));
    next.receive(event(6));
    next.receive(event(7));
    assert.deepEqual(seqs(), [1, 2, 3, 4, 5, 6, 7]);
  });

  test("caught up: a resumed history says how many events it brought; the first does not count", () => {
    const { client, clock, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([event(1), event(2)]));
    assert.deepEqual(of("caughtup"), [{ resumed: false, missed: 0 }]);
    ws.drop();
    clock.advance(BACKOFF_MAX_MS);
    const next = connectAndWelcome();
    next.receive(history([event(3), event(5)]));
    assert.deepEqual(of("caughtup").at(-1), { resumed: true, missed: 2 });
  });

  test("events of another session, without an integer seq, or not JSON are ignored", () => {
    const { client, seqs } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(event(1, { session: "ses_other" }));
    ws.receive(event("2"));
    ws.receive("{not json");
    ws.receive("[1,2]");
    ws.receive(event(3));
    assert.deepEqual(seqs(), [3]);
  });

  test("an investor never gets a draft reported, even if one arrived", () => {
    const { client, seqs } = makeClient({ dropKinds: ["draft"] });
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([event(1), event(2, { kind: "draft", about: 1 })]));
    ws.receive(event(3, { kind: "draft", about: 1 }));
    ws.receive(event(4, { kind: "answer", replyTo: 1 }));
    assert.deepEqual(seqs(), [1, 4]);
  });

  test("after a reset (new language) the history is loaded again from the start", () => {
    const { client, seqs, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([event(1), event(2)]));
    client.language = "vi";
    client.restart({ reset: true });
    assert.deepEqual(ws.closedWith, { code: 1000, reason: "language change" });
    assert.equal(FakeSocket.made.length, 1, "the new socket waits for the old one to close");
    ws.finishClose();
    const next = FakeSocket.latest();
    next.open();
    assert.deepEqual(next.sent[0], { type: "hello", token: "inv_code", language: "vi", resume: { session: SESSION, after: 0 } });
    next.receive(welcome());
    next.receive(history([event(1), event(2)]));
    assert.deepEqual(seqs(), [1, 2, 1, 2]);
    assert.deepEqual(of("caughtup").at(-1), { resumed: false, missed: 0 });
    assert.equal(of("closed").length, 0, "a restart's close is not reported");
  });

  test("two restarts in a row (the language changed twice): one new socket, once the old one closed", () => {
    const { client, clock } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    client.language = "fr";
    client.restart({ reset: true });
    client.language = "vi";
    client.restart({ reset: true });
    assert.equal(FakeSocket.made.length, 1, "the second restart waits for the first one's close too");
    ws.finishClose();
    assert.equal(FakeSocket.made.length, 2);
    clock.advance(RESTART_CLOSE_WAIT_MS);
    assert.equal(FakeSocket.made.length, 2, "and the wait's timer opens nothing more");
    const next = FakeSocket.latest();
    next.open();
    assert.equal(next.sent[0].language, "vi");
  });

  test("a restart while the socket is still connecting: the old one sends nothing, the new one says hello", () => {
    const { client } = makeClient();
    client.start();
    const old = FakeSocket.latest();
    client.language = "ja";
    client.restart();
    assert.equal(FakeSocket.made.length, 2);
    old.open();
    assert.deepEqual(old.sent, [], "no hello on the socket given up");
    assert.deepEqual(old.closedWith, { code: 1000, reason: "language change" });
    const next = FakeSocket.latest();
    next.open();
    assert.deepEqual(next.sent, [{ type: "hello", token: "inv_code", language: "ja" }]);
  });

  test("a restart whose old socket never closes opens the new one after a while", () => {
    const { client, clock } = makeClient();
    client.start();
    connectAndWelcome();
    client.restart();
    assert.equal(FakeSocket.made.length, 1);
    clock.advance(RESTART_CLOSE_WAIT_MS);
    assert.equal(FakeSocket.made.length, 2);
  });
});

describe("outbox", () => {
  test("an unacknowledged frame is sent again after a reconnect, with the same clientId, and once acked never twice", () => {
    const { client, clock, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([]));
    const item = client.submit({ type: "say", text: "hello" }, { kind: "say", text: "hello" });
    assert.deepEqual(ws.sentOf("say"), [{ type: "say", text: "hello", session: SESSION, clientId: item.clientId }]);
    ws.drop(); // before the ack

    clock.advance(BACKOFF_MAX_MS);
    const next = connectAndWelcome();
    assert.deepEqual(next.sentOf("say"), [], "nothing is sent before the catch-up is complete");
    next.receive(history([event(1)]));
    assert.deepEqual(next.sentOf("say"), [{ type: "say", text: "hello", session: SESSION, clientId: item.clientId }]);

    next.receive({ type: "ack", clientId: item.clientId, seq: 2 });
    assert.equal(item.status, "sent");
    assert.equal(item.seq, 2);
    next.receive(event(2, { from: ME, clientId: item.clientId, text: "hello" }));
    assert.equal(client.outbox.size, 0);
    assert.deepEqual(
      of("outbox").map(({ change }) => change),
      ["queued", "sent", "removed"],
    );

    // A repeated ack (the server answers a repeated clientId the same way) and a repeated
    // event change nothing, and a later reconnect sends nothing again.
    next.receive({ type: "ack", clientId: item.clientId, seq: 2 });
    next.receive(event(2, { from: ME, clientId: item.clientId, text: "hello" }));
    next.drop();
    clock.advance(BACKOFF_MAX_MS);
    const third = connectAndWelcome();
    third.receive(history([]));
    assert.deepEqual(third.sentOf("say"), []);
    assert.equal(of("outbox").length, 3);
    assert.equal(of("event").length, 2);
  });

  test("a frame written during the catch-up goes out once, when it is complete", () => {
    const { client } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([event(1)], false));
    const item = client.submit({ type: "say", text: "early" });
    assert.deepEqual(ws.sentOf("say"), [], "held until the history is complete");
    ws.receive(history([event(2)], true));
    assert.deepEqual(ws.sentOf("say"), [{ type: "say", text: "early", session: SESSION, clientId: item.clientId }]);
  });

  test("a retry during the catch-up goes out once, when it is complete", () => {
    const { client, clock } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([]));
    const item = client.submit({ type: "say", text: "x" });
    ws.receive({ type: "error", code: "rate_limited", message: "slow down", ref: item.clientId });
    ws.drop();
    clock.advance(BACKOFF_MAX_MS);
    const next = connectAndWelcome();
    next.receive(history([event(1)], false));
    client.retry(item.clientId);
    next.receive(history([event(2)], true));
    assert.equal(next.sentOf("say").length, 1);
  });

  test("a frame written while offline goes out once the next catch-up is complete", () => {
    const { client, clock } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([]));
    ws.drop();
    const item = client.submit({ type: "ask", text: "why?" });
    clock.advance(BACKOFF_MAX_MS);
    const next = connectAndWelcome();
    next.receive(history([]));
    assert.deepEqual(next.sentOf("ask"), [{ type: "ask", text: "why?", session: SESSION, clientId: item.clientId }]);
  });

  test("the sender's own event, arriving before its ack, removes the item; the late ack adds nothing", () => {
    const { client, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([]));
    const item = client.submit({ type: "say", text: "x" });
    ws.receive(event(1, { from: OFFICER, clientId: item.clientId })); // same clientId, someone else's
    assert.equal(client.outbox.size, 1);
    ws.receive(event(2, { from: ME, clientId: item.clientId, text: "x" }));
    assert.equal(client.outbox.size, 0);
    ws.receive({ type: "ack", clientId: item.clientId, seq: 2 });
    assert.deepEqual(
      of("outbox").map(({ change }) => change),
      ["queued", "removed"],
    );
  });

  test("an ack for an event already delivered removes the item at once", () => {
    const { client } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([]));
    const item = client.submit({ type: "say", text: "x" });
    ws.receive(event(1, { from: OFFICER })); // someone else's, not this item's
    ws.receive(event(2, { from: { id: "other" }, text: "x" }));
    ws.receive({ type: "ack", clientId: item.clientId, seq: 2 });
    assert.equal(client.outbox.size, 0);
  });

  test("an error with `ref` takes the item out of the sending queue: failed, not sent again", () => {
    const { client, clock, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([]));
    const item = client.submit({ type: "say", text: "x" });
    ws.receive({ type: "error", code: "forbidden", message: "you are muted", ref: item.clientId });
    assert.equal(item.status, "failed");
    assert.equal(item.code, "forbidden");
    assert.equal(item.detail, "you are muted");
    assert.deepEqual(of("outbox").at(-1).change, "failed");
    assert.deepEqual(of("error"), [], "an outbox error is reported as the item's, not as a page error");
    ws.drop();
    clock.advance(BACKOFF_MAX_MS);
    const next = connectAndWelcome();
    next.receive(history([]));
    assert.deepEqual(next.sentOf("say"), []);
    client.retry(item.clientId);
    assert.deepEqual(next.sentOf("say"), [{ type: "say", text: "x", session: SESSION, clientId: item.clientId }]);
    client.discard(item.clientId);
    assert.equal(client.outbox.size, 0);
  });

  test("an error whose ref is not in the outbox is reported, and leaves the last action open", () => {
    const { client, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    client.action({ type: "moderate", session: SESSION, action: "mute", target: "inv_2" }, "person");
    ws.receive({ type: "error", code: "conflict", message: "session ended", ref: "gone" });
    ws.receive({ type: "error", code: "forbidden", message: "no" });
    assert.deepEqual(of("error"), [
      { code: "conflict", message: "session ended", ref: "gone", action: null },
      { code: "forbidden", message: "no", ref: null, action: "person" },
    ]);
  });

  test("an error without ref long after the last action is about nothing in particular", () => {
    const { client, clock, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    client.action({ type: "end", session: SESSION }, "end");
    clock.advance(ACTION_WINDOW_MS);
    ws.receive({ type: "error", code: "rate_limited", message: "slow down" });
    assert.equal(of("error")[0].action, null);
  });

  test("failWaiting fails what is still sending, not what was acknowledged", () => {
    const { client } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    ws.receive(history([]));
    const acked = client.submit({ type: "say", text: "a" });
    ws.receive({ type: "ack", clientId: acked.clientId, seq: 9 });
    const waiting = client.submit({ type: "say", text: "b" });
    client.failWaiting("conflict", "session ended");
    assert.equal(acked.status, "sent");
    assert.equal(waiting.status, "failed");
    assert.equal(waiting.code, "conflict");
  });
});

describe("reconnecting", () => {
  test("back-off doubles from one second up to thirty, with ±15 % jitter", () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(attempt, () => 0.5)),
      [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
    );
    assert.equal(backoffDelay(0, () => 0), 850);
    assert.equal(backoffDelay(0, () => 0.999999), 1150);
    assert.equal(backoffDelay(10, () => 0.999999), 30000, "never over the maximum");
  });

  test("reconnects wait their delay, grow while failing, and start over after a welcome", () => {
    const { client, clock, of } = makeClient();
    client.start();
    FakeSocket.latest().drop(1006); // never opened
    const waits = [];
    for (let i = 0; i < 3; i += 1) {
      const { delay, at } = of("retry").at(-1);
      waits.push(delay);
      assert.equal(at, clock.now() + delay);
      const before = FakeSocket.made.length;
      clock.advance(delay - 1);
      assert.equal(FakeSocket.made.length, before, "not before its time");
      assert.equal(client.waiting, true);
      clock.advance(1);
      assert.equal(FakeSocket.made.length, before + 1);
      if (i < 2) FakeSocket.latest().drop(1006);
    }
    assert.deepEqual(waits, [1000, 2000, 4000]);
    connectAndWelcome();
    FakeSocket.latest().drop(1001);
    assert.equal(of("retry").at(-1).delay, 1000, "a welcome resets the back-off");
  });

  test("reconnectNow skips the wait; a stopped conversation never reconnects", () => {
    const { client, clock } = makeClient();
    client.start();
    FakeSocket.latest().drop(1006);
    client.reconnectNow();
    assert.equal(FakeSocket.made.length, 2);
    assert.equal(client.waiting, false);
    FakeSocket.latest().drop(1006);
    client.stop();
    clock.advance(10 * BACKOFF_MAX_MS);
    client.reconnectNow();
    assert.equal(FakeSocket.made.length, 2);
  });

  test("the page decides from `closed`: unauthorized closes are reported with the server's message", () => {
    const { client, clock, of } = makeClient();
    client.on("closed", ({ code }) => {
      if (code === 1008) client.stop();
    });
    client.start();
    const ws = FakeSocket.latest();
    ws.open();
    ws.receive({ type: "error", code: "unauthorized", message: "invite revoked" });
    ws.drop(1008, "unauthorized");
    assert.deepEqual(of("closed"), [
      { code: 1008, reason: "unauthorized", unauthorized: true, message: "invite revoked", stopped: false },
    ]);
    assert.deepEqual(of("error"), [], "unauthorized is the close's business");
    clock.advance(10 * BACKOFF_MAX_MS);
    assert.equal(FakeSocket.made.length, 1);
  });

  test("leaving keeps the socket a moment (the left event is recorded), then closes without reconnecting", () => {
    const { client, clock, of, seqs } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    assert.equal(client.send({ type: "leave", session: SESSION }), true);
    assert.equal(client.stop({ reason: "left", delayMs: 400 }), true);
    ws.receive(event(1, { kind: "left", from: ME }));
    assert.deepEqual(seqs(), [1], "frames still count until the close");
    clock.advance(400);
    assert.deepEqual(ws.closedWith, { code: 1000, reason: "left" });
    ws.finishClose();
    assert.equal(of("closed").at(-1).stopped, true);
    clock.advance(10 * BACKOFF_MAX_MS);
    assert.equal(FakeSocket.made.length, 1);
    assert.equal(client.stop({ delayMs: 400 }), false, "nothing left to close");
  });

  test("stop with delay while connecting: nothing to wait for, the page is told at once", () => {
    const { client, clock, of } = makeClient();
    client.start();
    const ws = FakeSocket.latest();
    assert.equal(client.send({ type: "leave", session: SESSION }), false);
    assert.equal(client.stop({ reason: "left", delayMs: 400 }), false, "false: no `closed` report will follow");
    ws.open();
    assert.deepEqual(ws.sent, [], "no hello: the socket opened after the stop");
    assert.deepEqual(ws.closedWith, { code: 1000, reason: "left" });
    ws.receive(welcome());
    ws.finishClose();
    assert.deepEqual(of("welcome"), [], "the page leaving never sees a welcome again");
    assert.deepEqual(of("closed"), []);
    clock.advance(10 * BACKOFF_MAX_MS);
    assert.equal(FakeSocket.made.length, 1);
  });

  test("stop with delay on a socket open but not yet welcomed closes it at once", () => {
    const { client, of } = makeClient();
    client.start();
    const ws = FakeSocket.latest();
    ws.open(); // hello sent, no welcome yet
    assert.equal(client.stop({ reason: "left", delayMs: 400 }), false);
    assert.deepEqual(ws.closedWith, { code: 1000, reason: "left" });
    ws.receive(welcome());
    assert.deepEqual(of("welcome"), []);
  });

  test("stop with delay while waiting to reconnect: false, and no reconnect", () => {
    const { client, clock } = makeClient();
    client.start();
    connectAndWelcome().drop(1006);
    assert.equal(client.waiting, true);
    assert.equal(client.stop({ reason: "left", delayMs: 400 }), false);
    clock.advance(10 * BACKOFF_MAX_MS);
    assert.equal(FakeSocket.made.length, 1);
  });

  test("a welcome on a socket being stopped (leaving) is not passed on", () => {
    const { client, of } = makeClient();
    client.start();
    const ws = connectAndWelcome();
    assert.equal(client.stop({ reason: "left", delayMs: 400 }), true);
    ws.receive(welcome());
    assert.equal(of("welcome").length, 1);
  });

  test("a socket still connecting when stopped is closed once it opens, and sends nothing", () => {
    const { client } = makeClient();
    client.start();
    const ws = FakeSocket.latest();
    client.stop({ reason: "closed" });
    ws.open();
    assert.deepEqual(ws.sent, []);
    assert.deepEqual(ws.closedWith, { code: 1000, reason: "closed" });
  });

  test("nothing is sent before the welcome", () => {
    const { client } = makeClient();
    client.start();
    const ws = FakeSocket.latest();
    ws.open();
    assert.equal(client.send({ type: "leave", session: SESSION }), false);
    assert.equal(client.action({ type: "end", session: SESSION }, "end"), false);
    assert.deepEqual(ws.sentOf("leave"), []);
  });
});

describe("translations, presence, service", () => {
  function live() {
    const made = makeClient();
    made.client.start();
    const ws = connectAndWelcome();
    ws.receive(history([event(1)]));
    return { ...made, ws };
  }

  function translation(seq, fields = {}) {
    return { type: "translation", session: SESSION, seq, language: "en", text: `t${seq}`, engine: "deepl", glossaryOk: true, ...fields };
  }

  test("a translation that comes before its event is kept and merged into the event", () => {
    const { ws, of } = live();
    ws.receive(translation(2));
    assert.deepEqual(of("translation").at(-1).event, null);
    assert.equal(of("translation").at(-1).applied, false);
    ws.receive(event(2, { language: "vi", text: "xin chào" }));
    const delivered = of("event").at(-1).event;
    assert.deepEqual(delivered.translation, { text: "t2", language: "en", engine: "deepl", glossaryOk: true });
  });

  test("a translation after its event is applied, but a machine one never replaces a person's", () => {
    const { ws, of } = live();
    const human = translation(1, { engine: "human", text: "by hand", by: { id: "stf_2", name: "Mai" } });
    ws.receive(human);
    const first = of("translation").at(-1);
    assert.equal(first.applied, true);
    assert.equal(first.event.translation.text, "by hand");
    ws.receive(translation(1, { engine: "deepl", text: "machine" }));
    assert.equal(of("translation").at(-1).applied, false);
    assert.equal(first.event.translation.text, "by hand");
  });

  test("another language's translation is reported (staff queue) but neither kept nor applied", () => {
    const { ws, of } = live();
    ws.receive(translation(2, { language: "ja" }));
    ws.receive(event(2));
    assert.equal(of("translation")[0].own, false);
    assert.equal(of("event").at(-1).event.translation, undefined);
  });

  test("presence and redactions of this session reach the page; the store's state is tracked", () => {
    const { ws, of, client } = live();
    ws.receive({ type: "presence", session: SESSION, participant: { id: "inv_2", online: true } });
    ws.receive({ type: "presence", session: "ses_x", participant: { id: "inv_3", online: true } });
    ws.receive({ type: "redacted", session: SESSION, seq: 1 });
    ws.receive({ type: "service", store: "unavailable" });
    assert.equal(client.storeDown, true);
    ws.receive({ type: "service", store: "later-value" });
    ws.receive({ type: "service", store: "available" });
    assert.deepEqual(of("presence"), [{ participant: { id: "inv_2", online: true } }]);
    assert.deepEqual(of("redacted"), [{ seq: 1 }]);
    assert.deepEqual(of("service"), [
      { down: true, back: false },
      { down: false, back: true },
    ]);
  });

  test("the lobby: who waits in this session reaches the page, and the admission", () => {
    const { ws, of } = live();
    ws.receive({ type: "lobby", session: SESSION, waiting: [{ invite: "inv_2", name: "Sato" }] });
    ws.receive({ type: "lobby", session: "ses_x", waiting: [{ invite: "inv_3", name: "Other" }] });
    ws.receive({ type: "lobby", session: SESSION, waiting: "not a list" });
    ws.receive({ type: "admitted", session: "ses_x" });
    ws.receive({ type: "admitted", session: SESSION });
    assert.deepEqual(of("lobby"), [{ waiting: [{ invite: "inv_2", name: "Sato" }] }, { waiting: [] }]);
    assert.deepEqual(of("admitted"), [{ session: SESSION }]);
  });
});

describe("what a page does when the socket closed", () => {
  const investor = (closed, ended = false) => closeVerdict(closed, { ended });
  const staff = (closed) => closeVerdict(closed, { staff: true });
  const refused = { code: 1008, reason: "unauthorized", unauthorized: true, message: "bad invite", stopped: false };

  test("its own close after leave", () => {
    assert.equal(investor({ code: 1000, reason: "left", unauthorized: false, message: "", stopped: true }), "left");
  });

  test("an unauthorized close: the investor stops for good, staff are signed out", () => {
    assert.equal(investor(refused), "refused");
    assert.equal(staff(refused), "refused");
    assert.equal(staff({ code: 1008, reason: "token revoked", unauthorized: false, message: "", stopped: false }), "refused");
  });

  test("too slow or too many frames is a plain reconnect for both", () => {
    for (const reason of ["too slow: outgoing queue full", "too many frames waiting"]) {
      const closed = { code: 1008, reason, unauthorized: false, message: "", stopped: false };
      assert.equal(investor(closed), "reconnect", reason);
      assert.equal(staff(closed), "reconnect", reason);
    }
  });

  test("removed, expired or revoked invites stop the investor; staff only stop on a refused token", () => {
    for (const reason of ["removed", "invite expired", "invite revoked", ""]) {
      const closed = { code: 1008, reason, unauthorized: false, message: "", stopped: false };
      assert.equal(investor(closed), "refused", reason);
    }
    assert.equal(staff({ code: 1008, reason: "removed", unauthorized: false, message: "", stopped: false }), "reconnect");
  });

  test("a dropped connection reconnects, unless the meeting has ended (investor)", () => {
    const dropped = { code: 1006, reason: "", unauthorized: false, message: "", stopped: false };
    assert.equal(investor(dropped), "reconnect");
    assert.equal(investor(dropped, true), "ended");
    assert.equal(staff(dropped), "reconnect");
  });
});
