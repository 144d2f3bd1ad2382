/**
 * The console's API client: same-origin fetch with the session cookie, the CSRF token on every
 * change, the chosen language, and problem+json errors as ApiError. The console never decides
 * access; it shows what the API answers.
 */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  errors?: { path: string; code: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.title);
  }
  get status() {
    return this.problem.status;
  }
}

let csrfToken = '';
let lang = 'zh-CN';
let onUnauthorized: () => void = () => {};

export const apiSettings = {
  setCsrfToken: (token: string) => {
    csrfToken = token;
  },
  setLang: (value: string) => {
    lang = value;
  },
  /** Called when a request that had a session answers 401: the session expired. */
  onUnauthorized: (handler: () => void) => {
    onUnauthorized = handler;
  },
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'accept-language': lang };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && path !== '/auth/sign-in' && path !== '/auth/me') onUnauthorized();
    throw new ApiError(
      data && typeof data === 'object' && 'code' in data
        ? (data as Problem)
        : { status: res.status, code: 'http', title: res.statusText },
    );
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
};

/** Upload one file as multipart/form-data (roster imports), with the CSRF token. */
export async function upload<T>(path: string, file: File): Promise<T> {
  const form = new FormData();
  form.append('file', file);
  const res = await fetch(`/api/v1${path}`, {
    method: 'POST',
    headers: { 'x-csrf-token': csrfToken, 'accept-language': lang },
    credentials: 'same-origin',
    body: form,
  });
  const data = await res.json().catch(() => null);
  if (!res.ok)
    throw new ApiError((data as Problem) ?? { status: res.status, code: 'http', title: res.statusText });
  return data as T;
}

/** What to tell the user of a failed call: the API's field messages, else its title, else `fallback`. */
export function problemText(e: unknown, fallback: string): string {
  return e instanceof ApiError ? (e.problem.detail ?? e.problem.title) : fallback;
}
