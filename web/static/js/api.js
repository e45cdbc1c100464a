// The REST API client: tokens live in sessionStorage (never a cookie), a 401 refreshes once.
// Refresh tokens rotate: the old one is spent, so concurrent 401s share one refresh request.

const KEY = "smarthabit.tokens";
let refreshing = null;

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function tokens() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

export function saveTokens(pair) {
  sessionStorage.setItem(KEY, JSON.stringify({ access: pair.access_token, refresh: pair.refresh_token }));
}

export function signedIn() {
  return tokens() !== null;
}

export async function signOut() {
  const pair = tokens();
  sessionStorage.removeItem(KEY);
  if (pair) await send("POST", "/auth/logout", { refresh_token: pair.refresh }, false).catch(() => {});
}

async function send(method, path, body, auth) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const pair = tokens();
  if (auth && pair) headers.Authorization = `Bearer ${pair.access}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || "http_error", error.message || response.statusText, error.details);
  }
  return data;
}

async function refresh() {
  const pair = tokens();
  if (!pair) throw new ApiError(401, "not_authenticated", "Please sign in");
  try {
    saveTokens(await send("POST", "/auth/refresh", { refresh_token: pair.refresh }, false));
  } catch (error) {
    sessionStorage.removeItem(KEY);
    throw error;
  }
}

/** Call the API as the signed-in user; an expired access token is refreshed once and the call retried. */
export async function api(method, path, body) {
  try {
    return await send(method, path, body, true);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || !tokens()) throw error;
    refreshing = refreshing || refresh().finally(() => { refreshing = null; });
    await refreshing;
    return send(method, path, body, true);
  }
}

export async function signIn(path, body) {
  saveTokens(await send("POST", path, body, false));
}
