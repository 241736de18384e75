// Talking to the API: the token (kept in sessionStorage only, sent in the Authorization header,
// never put in a URL) and one `api` call that answers JSON or throws an `ApiError`.

const TOKEN_KEY = 'aidledger.token';

/** The signed-in token, kept for this tab only. */
export const session = {
  token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  keep(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  forget() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** An answer other than 2xx: its status and problem+json body (or `null` when the server was not reached). */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * `GET path` (or another method with a JSON `body`, or a `raw` body of `contentType`) with `token`
 * (default: the session's); answers the JSON, or with `asText` the body's text.
 */
export async function api(path, { token = session.token(), method = 'GET', body, raw, contentType, asText = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (raw !== undefined) headers['Content-Type'] = contentType;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return asText ? text : json;
}
