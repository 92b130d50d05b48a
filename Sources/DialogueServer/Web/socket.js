// Shared by the investor page, the officer console and the review page: the WebSocket
// endpoint, closing a socket politely, and the staff-token check the two staff pages make.

/** The dialogue endpoint on this page's own host (wss: under https). */
export function socketURL() {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/ws";
}

/** Closes `ws` with 1000; one still connecting is closed once open (closing it before makes
 *  the browser log a warning). */
export function closeSocket(ws, reason) {
  // 0 is CONNECTING; the constant is not on node's global (before node 22), where
  // conversation.js is tested with a fake socket.
  if (ws.readyState === 0) {
    ws.addEventListener("open", () => ws.close(1000, reason));
    return;
  }
  try {
    ws.close(1000, reason);
  } catch {
    // already closing
  }
}

/**
 * Asks the server, with a `hello`, whether `token` is a staff token. Resolves to
 * `{verdict: "ok", you}`, `{verdict: "refused"}`, `{verdict: "rate_limited", message}` or
 * `{verdict: "unknown"}` (no answer: an HTTP request then decides). A refused `hello` leaves
 * nothing in the browser's console, where a refused HTTP request logs a 401. The token
 * travels in the `hello` frame, as the contract allows, never in a URL.
 */
export function probeStaffToken(token, language, timeoutMs = 10000) {
  // Only staff tokens ("dst_…", docs/protocol.md) are tried: anything else in a hello is
  // taken as an invite code, and would join that invite's meeting as its investor.
  if (!token.startsWith("dst_")) return Promise.resolve({ verdict: "unknown" });
  return new Promise((resolve) => {
    let ws;
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ws) closeSocket(ws, "sign-in check");
      resolve(result);
    };
    const timer = setTimeout(() => finish({ verdict: "unknown" }), timeoutMs);
    try {
      ws = new WebSocket(socketURL());
    } catch {
      finish({ verdict: "unknown" });
      return;
    }
    ws.addEventListener("open", () => {
      if (!settled) ws.send(JSON.stringify({ type: "hello", token, language }));
    });
    ws.addEventListener("message", (message) => {
      let frame = null;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (!frame) return;
      if (frame.type === "welcome" && frame.you && frame.you.role !== "investor") finish({ verdict: "ok", you: frame.you });
      else if (frame.type === "welcome" || (frame.type === "error" && frame.code === "unauthorized")) finish({ verdict: "refused" });
      else if (frame.type === "error" && frame.code === "rate_limited") {
        finish({ verdict: "rate_limited", message: String(frame.message || "") });
      } else if (frame.type === "error") finish({ verdict: "unknown" });
    });
    ws.addEventListener("close", () => finish({ verdict: "unknown" }));
  });
}
