// The HTTP API (contract section 3) as the console and the review pages call it: the staff
// token in the Authorization header (never in a URL), JSON in and out, and one error shape —
// the HTTP status with the server's `{"error":{"code","message"}}`. No DOM here: `fetch` and
// the token are injected, so node's test runner checks it (Tests/web/).

/** A refused or failed request: `status` (0 when the server was not reached), the server's
 *  error `code` ("network" when not reached, "" when it gave none) and its `message`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = code || "";
  }
}

/**
 * Makes the pages' `api(method, path, body?, options?)`:
 * - `token()`: the staff token to send (none when empty);
 * - `onUnauthorized(error)`: a 401 — the token was revoked or expired (not called for a
 *   request with `signOutOn401: false`, such as the sign-in's own check);
 * - `fetch`: injected in tests.
 * The request resolves to the parsed JSON answer (null when empty or not JSON), or with
 * `raw: true` to the Response itself (a download); `token` overrides the stored one.
 */
export function createApi({ token = () => "", onUnauthorized = () => {}, fetch: fetchFn = (...args) => globalThis.fetch(...args) } = {}) {
  return async function api(method, path, body, { raw = false, token: given, signOutOn401 = true } = {}) {
    const bearer = given === undefined ? token() : given;
    const headers = { Accept: "application/json" };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    // No cookies: the bearer token is the only credential these pages have.
    const init = { method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetchFn(path, init);
    } catch {
      throw new ApiError(0, "network", "The server could not be reached.");
    }
    if (response.ok && raw) return response;
    const text = response.status === 204 ? "" : await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null; // not JSON: a proxy's page, say
    }
    if (response.ok) return data;
    const error = (data && typeof data.error === "object" && data.error) || {};
    const fallback = response.statusText ? `HTTP ${response.status} ${response.statusText}` : `HTTP ${response.status}`;
    const failure = new ApiError(response.status, String(error.code || ""), String(error.message || "") || fallback);
    if (response.status === 401 && signOutOn401) onUnauthorized(failure);
    throw failure;
  };
}
