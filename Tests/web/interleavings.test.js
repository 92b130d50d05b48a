// Seeded random interleavings of what can happen to an investor's conversation — events from
// others (drafts among them), messages written, acks, duplicated and overlapping frames,
// translations before and after their events, dropped connections, reconnects — against a
// small model of the server (contract section 4). Whatever the order: every visible event is
// reported once, in order, with no gap; a draft never; an item leaves the outbox only when
// its event arrived; every message written is stored once; and the client itself sends each
// message at most once per connection (once more per retry), never while it has failed —
// the model server deduplicates clientIds as the real one does, so the stored log alone
// would not show a double send.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Conversation } from "../../Sources/DialogueServer/Web/conversation.js";
import { FakeClock, FakeSocket, seeded } from "./fakes.js";

const SESSION = "ses_p";
const ME = { id: "inv_me", role: "investor", name: "Ana" };
const OTHER = { id: "stf_1", role: "officer", name: "Lan" };

/** A socket that also notes, for each say frame, the sender's view of the item when it went
 *  out: `sends` (shared by the run) gets { socket, clientId, status }. */
class RecordingSocket extends FakeSocket {
  static client = null;
  static sends = [];

  send(data) {
    super.send(data);
    const frame = JSON.parse(data);
    if (frame.type !== "say") return;
    const item = RecordingSocket.client.outbox.get(frame.clientId);
    RecordingSocket.sends.push({ socket: this, clientId: frame.clientId, status: item ? item.status : "gone" });
  }
}

/** The server's side: a log of events, clientIds already stored, and one connection. */
class ModelServer {
  constructor(random) {
    this.random = random;
    this.log = []; // events, seq = index + 1
    this.stored = new Map(); // clientId -> seq
    this.ws = null;
    this.cursor = 0; // last seq sent to the connection
    this.caughtUp = false;
    this.welcomed = false;
    this.inbox = []; // say frames not yet stored
  }

  visible(event) {
    return event.kind !== "draft";
  }

  append(fields) {
    const event = { type: "event", session: SESSION, seq: this.log.length + 1, kind: "message", language: "vi", text: "x", terms: [], ...fields };
    this.log.push(event);
    return event;
  }

  /** The server's answer to what the client sent on the current socket. */
  read() {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return;
    const frames = ws.sent.splice(0);
    for (const frame of frames) {
      if (frame.type === "hello") {
        ws.receive({ type: "welcome", you: ME, session: { id: SESSION, participants: [] }, protocol: 1 });
        this.welcomed = true;
        this.cursor = frame.resume ? frame.resume.after : 0;
        this.caughtUp = false;
      } else if (frame.type === "say") {
        this.inbox.push(frame);
      }
    }
  }

  /** Stores one waiting message (once per clientId) and acks it — sometimes after sending
   *  its event live, sometimes refusing it (rate limited) instead. */
  storeOne() {
    const frame = this.inbox.shift();
    if (!frame) return;
    const open = this.ws && this.ws.readyState === 1;
    let seq = this.stored.get(frame.clientId);
    if (seq === undefined && open && this.random() < 0.08) {
      this.ws.receive({ type: "error", code: "rate_limited", message: "slow down", ref: frame.clientId });
      return;
    }
    if (seq === undefined) {
      const event = this.append({ from: ME, clientId: frame.clientId, text: frame.text });
      seq = event.seq;
      this.stored.set(frame.clientId, seq);
      if (open && this.caughtUp && this.cursor === seq - 1 && this.random() < 0.3) {
        this.ws.receive(event); // the event before its ack
        this.cursor = seq;
      }
    }
    if (open && this.random() < 0.8) this.ws.receive({ type: "ack", clientId: frame.clientId, seq });
  }

  /** Sends the next part of the history, or live events once it is complete. */
  pump() {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1 || !this.welcomed) return;
    const after = this.log.filter((event) => event.seq > this.cursor);
    if (!this.caughtUp) {
      const chunk = after.slice(0, 1 + Math.floor(this.random() * 3));
      const overlap = this.cursor > 0 && this.random() < 0.3 ? [this.log[this.cursor - 1]] : [];
      // Drafts go out too, as if the server erred: the investor's client must drop them.
      const events = [...overlap, ...chunk];
      if (chunk.length) this.cursor = chunk[chunk.length - 1].seq;
      const complete = this.cursor === this.log.length;
      ws.receive({ type: "history", session: SESSION, events: events.map(({ type, ...rest }) => rest), complete });
      this.caughtUp = complete;
      return;
    }
    for (const event of after) {
      ws.receive(event);
      // An event sent twice (a retried delivery): the client must show it once.
      if (this.random() < 0.1) ws.receive(event);
      this.cursor = event.seq;
    }
  }
}

function run(seed, steps) {
  const random = seeded(seed);
  const clock = new FakeClock();
  FakeSocket.reset();
  const server = new ModelServer(random);
  let ids = 0;
  RecordingSocket.sends = [];
  const client = new Conversation({
    url: "ws://model/v1/ws",
    token: "inv_code",
    language: "en",
    dropKinds: ["draft"],
    WebSocket: RecordingSocket,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    random,
    newClientId: () => `s${seed}-${++ids}`,
  });
  RecordingSocket.client = client;
  const delivered = [];
  const removed = [];
  const retries = []; // { socket, clientId }: retry() while that socket was the latest
  client.on("event", ({ event }) => delivered.push(event));
  client.on("outbox", ({ clientId, change }) => {
    if (change === "removed") removed.push(clientId);
  });
  const written = [];
  const translated = new Map(); // seq -> text of the translation sent
  client.start();

  const attach = () => {
    const ws = FakeSocket.latest();
    if (ws && ws !== server.ws && ws.readyState === 0) {
      server.ws = ws;
      server.welcomed = false;
      ws.open();
    }
  };

  for (let step = 0; step < steps; step += 1) {
    attach();
    server.read();
    const roll = random();
    if (roll < 0.2) server.append({ from: OTHER, kind: random() < 0.25 ? "draft" : "message" });
    else if (roll < 0.3 && client.everWelcomed) written.push(client.submit({ type: "say", text: `w${written.length}` }).clientId);
    else if (roll < 0.45) server.storeOne();
    else if (roll < 0.75) server.pump();
    else if (roll < 0.8 && server.log.length) {
      // A translation of a random event, maybe before the event reached the client.
      const target = server.log[Math.floor(random() * server.log.length)];
      if (server.ws && server.ws.readyState === 1 && server.welcomed && server.visible(target)) {
        const text = `en${target.seq}-${step}`;
        server.ws.receive({ type: "translation", session: SESSION, seq: target.seq, language: "en", text, engine: "human", glossaryOk: true });
        translated.set(target.seq, text);
      }
    } else if (roll < 0.82) {
      // The reader retries a message that failed (maybe during a catch-up, or offline).
      const failed = [...client.outbox.values()].find((item) => item.status === "failed");
      if (failed) {
        retries.push({ socket: FakeSocket.latest(), clientId: failed.clientId });
        client.retry(failed.clientId);
      }
    } else if (roll < 0.85 && server.ws && server.ws.readyState === 1) {
      server.ws.drop(1006);
      server.inbox = []; // frames in flight are lost with the connection
    } else {
      clock.advance(Math.floor(random() * 5000));
    }
  }

  // Settle: connection up, everything stored and delivered.
  for (let round = 0; round < 200 && (client.outbox.size || client.lastSeq < lastVisible(server)); round += 1) {
    clock.advance(31000);
    attach();
    server.read();
    while (server.inbox.length) server.storeOne();
    server.pump();
    for (const item of client.outbox.values()) {
      if (item.status !== "failed") continue;
      retries.push({ socket: FakeSocket.latest(), clientId: item.clientId });
      client.retry(item.clientId);
    }
  }
  return { server, client, delivered, removed, written, translated, retries, sends: RecordingSocket.sends };
}

function lastVisible(server) {
  const visible = server.log.filter((event) => server.visible(event));
  return visible.length ? visible[visible.length - 1].seq : 0;
}

test("random interleavings never deliver a gap, a duplicate or a draft, and store each message once", () => {
  for (let seed = 1; seed <= 150; seed += 1) {
    const { server, client, delivered, removed, written, translated, retries, sends } = run(seed, 400);
    const context = `seed ${seed}`;
    const seqs = delivered.map((event) => event.seq);
    const visible = server.log.filter((event) => server.visible(event)).map((event) => event.seq);
    assert.deepEqual(seqs, visible, `${context}: every visible event once, in order, no gap`);
    assert.ok(
      delivered.every((event) => event.kind !== "draft"),
      `${context}: no draft`,
    );
    assert.equal(client.outbox.size, 0, `${context}: the outbox drains`);
    for (const clientId of removed) {
      assert.ok(
        delivered.some((event) => event.clientId === clientId),
        `${context}: ${clientId} left the outbox only once its event arrived`,
      );
    }
    const storedIds = server.log.filter((event) => event.clientId).map((event) => event.clientId);
    assert.deepEqual([...storedIds].sort(), [...written].sort(), `${context}: each message stored exactly once`);
    // What the client sent: never a failed item; per connection, once plus once per retry.
    for (const send of sends) {
      assert.notEqual(send.status, "failed", `${context}: ${send.clientId} sent while failed`);
    }
    const perConnection = new Map(); // socket -> clientId -> count
    for (const { socket, clientId } of sends) {
      const counts = perConnection.get(socket) || new Map();
      perConnection.set(socket, counts);
      counts.set(clientId, (counts.get(clientId) || 0) + 1);
    }
    for (const [socket, counts] of perConnection) {
      for (const [clientId, count] of counts) {
        const retried = retries.filter((retry) => retry.socket === socket && retry.clientId === clientId).length;
        assert.ok(count <= 1 + retried, `${context}: ${clientId} sent ${count} times on one connection (${retried} retries)`);
      }
    }
    // Human translations of delivered events end on the event, wherever they came in.
    for (const event of delivered) {
      if (translated.has(event.seq)) {
        assert.ok(event.translation && event.translation.engine === "human", `${context}: seq ${event.seq} has its translation`);
      }
    }
  }
});
