// The pages' HTTP helper (Sources/DialogueServer/Web/api.js) against a fake fetch: the token
// in the Authorization header, JSON in and out, one error shape, 401 handling.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ApiError, createApi } from "../../Sources/DialogueServer/Web/api.js";

/** A fetch that records its calls and answers with `respond(path, init)` (a Response). */
function fakeFetch(respond) {
  const calls = [];
  const fetch = async (path, init) => {
    calls.push({ path, init });
    return respond(path, init);
  };
  return { fetch, calls };
}

function json(status, body, statusText = "") {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    statusText,
    headers: { "content-type": "application/json" },
  });
}

describe("api", () => {
  test("sends the staff token as a bearer header and JSON bodies, and resolves to the JSON answer", async () => {
    const { fetch, calls } = fakeFetch(() => json(201, { id: "ses_1" }));
    const api = createApi({ token: () => "dst_abc", fetch });
    const answer = await api("POST", "/v1/sessions", { title: "Port" });
    assert.deepEqual(answer, { id: "ses_1" });
    const { path, init } = calls[0];
    assert.equal(path, "/v1/sessions");
    assert.equal(init.method, "POST");
    assert.equal(init.headers.Authorization, "Bearer dst_abc");
    assert.equal(init.headers["Content-Type"], "application/json");
    assert.equal(init.body, '{"title":"Port"}');
    assert.equal(init.credentials, "omit");
    assert.ok(!path.includes("dst_abc"), "never in the URL");
  });

  test("no token, no header; no body, no content type", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { ok: true }));
    const api = createApi({ token: () => "", fetch });
    await api("GET", "/v1/sessions");
    assert.equal(calls[0].init.headers.Authorization, undefined);
    assert.equal(calls[0].init.headers["Content-Type"], undefined);
    assert.equal(calls[0].init.body, undefined);
  });

  test("a token given to one request replaces the stored one (signing in)", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, {}));
    const api = createApi({ token: () => "old", fetch });
    await api("GET", "/v1/sessions", undefined, { token: "new" });
    assert.equal(calls[0].init.headers.Authorization, "Bearer new");
  });

  test("204 and non-JSON answers resolve to null", async () => {
    const api204 = createApi({ fetch: fakeFetch(() => new Response(null, { status: 204 })).fetch });
    assert.equal(await api204("DELETE", "/v1/x"), null);
    const apiText = createApi({ fetch: fakeFetch(() => new Response("plain", { status: 200 })).fetch });
    assert.equal(await apiText("GET", "/v1/x"), null);
  });

  test("a refusal is an ApiError with the status and the server's code and message", async () => {
    const api = createApi({
      fetch: fakeFetch(() => json(409, { error: { code: "conflict", message: "session ended" } })).fetch,
    });
    await assert.rejects(api("POST", "/v1/x", {}), (error) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 409);
      assert.equal(error.code, "conflict");
      assert.equal(error.message, "session ended");
      return true;
    });
  });

  test("a refusal without the server's error says the HTTP status", async () => {
    const api = createApi({ fetch: fakeFetch(() => new Response("<html>", { status: 502, statusText: "Bad Gateway" })).fetch });
    await assert.rejects(api("GET", "/v1/x"), { status: 502, code: "", message: "HTTP 502 Bad Gateway" });
  });

  test("an unreachable server is status 0, code network", async () => {
    const api = createApi({
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    await assert.rejects(api("GET", "/v1/x"), { status: 0, code: "network" });
  });

  test("a 401 tells the page (revoked token), unless the request says not to", async () => {
    const seen = [];
    const api = createApi({
      fetch: fakeFetch(() => json(401, { error: { code: "unauthorized", message: "revoked" } })).fetch,
      onUnauthorized: (error) => seen.push(error.status),
    });
    await assert.rejects(api("GET", "/v1/sessions"), { status: 401 });
    await assert.rejects(api("GET", "/v1/sessions", undefined, { signOutOn401: false }), { status: 401 });
    assert.deepEqual(seen, [401]);
  });

  test("a 403 does not sign out", async () => {
    let called = false;
    const api = createApi({
      fetch: fakeFetch(() => json(403, { error: { code: "forbidden", message: "officers only" } })).fetch,
      onUnauthorized: () => {
        called = true;
      },
    });
    await assert.rejects(api("GET", "/v1/gaps"), { status: 403, code: "forbidden" });
    assert.equal(called, false);
  });

  test("raw: the Response itself (a download), errors as usual", async () => {
    const ok = createApi({ fetch: fakeFetch(() => new Response("# md", { status: 200 })).fetch });
    const response = await ok("GET", "/v1/sessions/s/transcript?format=md", undefined, { raw: true });
    assert.equal(await response.text(), "# md");
    const refused = createApi({ fetch: fakeFetch(() => json(404, { error: { code: "not_found", message: "no" } })).fetch });
    await assert.rejects(refused("GET", "/x", undefined, { raw: true }), { status: 404, code: "not_found" });
  });
});
