// The v2 API as the console reads it: the caller's identity on every
// call, Ceilometer's q.field/q.op/q.value parameters, and its error body
// turned into an Error whose message is the faultstring.

const IDENTITY_KEY = 'ceilometer-proxy-console.identity';

let settings = {auth_mode: 'noauth', mode: 'local', title: 'ceilometer-proxy'};
const missingListeners = [];

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function loadSettings() {
  const answer = await fetch('config.json', {cache: 'no-cache'});
  if (answer.ok) {
    settings = await answer.json();
  }
  return settings;
}

export function getSettings() {
  return settings;
}

export function identity() {
  const kept = sessionStorage.getItem(IDENTITY_KEY);
  return kept ? JSON.parse(kept) : null;
}

export function signIn(who) {
  sessionStorage.setItem(IDENTITY_KEY, JSON.stringify(who));
}

export function signOut() {
  sessionStorage.removeItem(IDENTITY_KEY);
}

// Whether the caller may be an administrator, so that asking an
// admin-only listing is worth it: with noauth the roles typed in say;
// a Keystone token's roles are unknown here, so the API is asked (and a
// refusal only leaves the admin column out). The API decides either way.
export function mayBeAdmin() {
  const who = identity();
  if (!who) {
    return false;
  }
  return settings.auth_mode === 'keystone' || (who.roles || []).includes('admin');
}

export function isCascading() {
  return settings.mode === 'cascading';
}

export function onMissingRegions(listener) {
  missingListeners.push(listener);
}

function headers() {
  const who = identity() || {};
  const out = {Accept: 'application/json'};
  if (settings.auth_mode === 'keystone') {
    if (who.token) {
      out['X-Auth-Token'] = who.token;
    }
  } else {
    if (who.user_id) out['X-User-Id'] = who.user_id;
    if (who.project_id) out['X-Project-Id'] = who.project_id;
    if (who.roles && who.roles.length) out['X-Roles'] = who.roles.join(',');
  }
  return out;
}

// URL of an API path with a query: q is a list of {field, op, value, type};
// params are the other parameters (period, limit, ...).
export function url(path, q = [], params = {}) {
  const search = new URLSearchParams();
  for (const term of q) {
    search.append('q.field', term.field);
    search.append('q.op', term.op || 'eq');
    search.append('q.value', term.value);
    if (term.type) {
      search.append('q.type', term.type);
    }
  }
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      search.append(name, value);
    }
  }
  const text = search.toString();
  return '../v2' + path + (text ? '?' + text : '');
}

async function faultOf(answer) {
  try {
    const body = await answer.json();
    const fault = body.error_message || body;
    if (fault && fault.faultstring) {
      return fault.faultstring;
    }
  } catch (ignored) {
    // not JSON: the status text says enough
  }
  return answer.status + ' ' + answer.statusText;
}

export async function get(path, q = [], params = {}) {
  if (!identity()) {
    // Signed out while a page was still reading: the rest of its calls
    // are not sent (without an identity they could only be refused).
    throw new ApiError(401, 'Signed out');
  }
  const answer = await fetch(url(path, q, params), {headers: headers()});
  const missing = answer.headers.get('X-Cascading-Missing-Regions');
  if (missing) {
    missingListeners.forEach((listener) => listener(missing));
  }
  if (!answer.ok) {
    throw new ApiError(answer.status, await faultOf(answer));
  }
  return answer.json();
}

// The same GET, or `fallback` when the API refuses it to this caller
// (401/403: an admin-only listing asked by a member).
export async function getIfAllowed(path, fallback, q = [], params = {}) {
  try {
    return await get(path, q, params);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      return fallback;
    }
    throw err;
  }
}
