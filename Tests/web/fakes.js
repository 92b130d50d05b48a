// Test doubles for the web client's modules: a WebSocket the test drives by hand and a clock
// whose timers run only when the test advances it. No DOM, no network, no real time.

/** A WebSocket stand-in: records what the client sends; the test opens it, delivers
 *  frames and closes it. Every instance made is kept in `FakeSocket.made`. */
export class FakeSocket {
  static made = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0; // CONNECTING
    this.sent = []; // frames the client sent, parsed
    this.closedWith = null; // { code, reason } when the client called close()
    this.listeners = new Map();
    FakeSocket.made.push(this);
  }

  static reset() {
    FakeSocket.made = [];
  }

  /** The socket made last (the current connection). */
  static latest() {
    return FakeSocket.made[FakeSocket.made.length - 1];
  }

  addEventListener(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(listener);
  }

  emit(type, event) {
    for (const listener of this.listeners.get(type) || []) listener(event);
  }

  send(data) {
    if (this.readyState !== 1) throw new Error(`send on a socket in state ${this.readyState}`);
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000, reason = "") {
    if (this.readyState >= 2) return;
    this.readyState = 2; // CLOSING: the close event comes when the test calls finishClose()
    this.closedWith = { code, reason };
  }

  // --- driven by the test -------------------------------------------------

  /** The connection opened. */
  open() {
    this.readyState = 1;
    this.emit("open", {});
  }

  /** A frame from the server (an object is sent as JSON, a string as is). */
  receive(frame) {
    this.emit("message", { data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  /** The connection closed (by the server, the network, or after the client's close()). */
  drop(code = 1006, reason = "") {
    this.readyState = 3;
    this.emit("close", { code, reason });
  }

  /** Completes a close the client started. */
  finishClose() {
    const { code, reason } = this.closedWith || { code: 1005, reason: "" };
    this.drop(code, reason);
  }

  /** Frames of `type` sent so far. */
  sentOf(type) {
    return this.sent.filter((frame) => frame.type === type);
  }
}

/** setTimeout/clearTimeout and a clock that move only when `advance` is called. */
export class FakeClock {
  constructor() {
    this.time = 0;
    this.nextId = 1;
    this.timers = new Map(); // id -> { at, fn }
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
    this.now = () => this.time;
  }

  /** Moves time on by `ms`, running each timer due on the way, in time order. */
  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      let due = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (!due || timer.at < due.timer.at)) due = { id, timer };
      }
      if (!due) break;
      this.timers.delete(due.id);
      this.time = due.timer.at;
      due.timer.fn();
    }
    this.time = end;
  }

  /** How many timers are waiting. */
  get pending() {
    return this.timers.size;
  }
}

/** A seeded generator (mulberry32): the same seed gives the same run. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
