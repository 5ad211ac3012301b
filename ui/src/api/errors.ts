/**
 * `ApiError`: the one error type of the UI's side of the API. Every failure of a request — an error answer of
 * the hub (`{ error: { code, message, details } }`), no answer at all, a timeout, or an answer that does not
 * match the hub's schema — becomes an ApiError with the hub's code (or one of the client codes below), so a
 * page can say what failed (`message`) and what to do about it (`adviceFor`).
 *
 * @module
 */

/** Codes of failures that happen on the client side (the hub's own codes are in docs/api.md). */
export const CLIENT_CODES = {
  /** No key in this browser for a route that needs one: nothing was sent (the key modal asks for one). */
  NO_KEY: 'NO_KEY',
  /** No answer: the hub is not running, or the network is down. */
  NETWORK: 'NETWORK_ERROR',
  TIMEOUT: 'TIMEOUT',
  /** The request was aborted by the caller (a page left, a newer request replaced it). */
  ABORTED: 'ABORTED',
  /** The answer does not match the hub's schema: `message` names the field. */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  /** A request body failed the hub's own schema before it was sent: `message` names the field. */
  INVALID_REQUEST: 'INVALID_REQUEST',
} as const;

export interface ApiErrorInit {
  /** HTTP status, or 0 when there was no answer. */
  status: number;
  code: string;
  message: string;
  details?: unknown;
  /** `GET /api/status`: what was asked. */
  request: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly request: string;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.request = init.request;
  }

  /** The field-level problems of a 400 INVALID_REQUEST or an INVALID_RESPONSE, if any. */
  get issues(): { field: string; message: string }[] {
    const issues = (this.details as { issues?: unknown } | undefined)?.issues;
    return Array.isArray(issues) ? (issues as { field: string; message: string }[]) : [];
  }
}

export const isAborted = (error: unknown): boolean =>
  error instanceof ApiError && error.code === CLIENT_CODES.ABORTED;

/** Anything thrown (an ApiError, an Error, a string) as an ApiError. */
export function toApiError(error: unknown, request = ''): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError({ status: 0, code: 'CLIENT_ERROR', message, request });
}

/** One sentence on what to do about an error, for error states and toasts. */
export function adviceFor(error: ApiError): string {
  switch (error.code) {
    case 'UNAUTHORIZED':
    case CLIENT_CODES.NO_KEY:
      return 'Enter a valid API key. The root key is in .lacrimosa/root.key, and ./lacrimosa prints a one-click login link.';
    case 'FORBIDDEN':
      return 'This needs a key with a higher scope (the message names it). Switch to such a key; admins create keys under Settings.';
    case 'TOO_MANY_AUTH_FAILURES':
      return 'Too many failed logins from this address: wait a minute, then try again with a valid key.';
    case 'HOST_NOT_ALLOWED':
      return 'Open the control center through the address the hub listens on (http://127.0.0.1:<port>).';
    case 'SEQUENCER_UNAVAILABLE':
      return 'Start the sequencer (`cz start`, or `./lacrimosa` for everything) and try again.';
    case 'JOURNAL_UNAVAILABLE':
      return "The hub cannot read the journal yet: start the sequencer so that it creates it, or check the hub's --journal path.";
    case 'UI_NOT_BUILT':
      return 'Build the control center with `npm run build:ui`.';
    case CLIENT_CODES.NETWORK:
      return 'The hub did not answer. Is it running? Start it with `./lacrimosa` (or `cz hub`), then retry.';
    case CLIENT_CODES.TIMEOUT:
      return 'The hub took too long to answer; it may be busy. Retry in a moment.';
    case CLIENT_CODES.INVALID_RESPONSE:
      return 'The UI and the hub disagree about this answer: rebuild the UI (`npm run build:ui`) from the same checkout as the hub.';
    case CLIENT_CODES.INVALID_REQUEST:
    case 'INVALID_REQUEST':
    case 'INVALID_JSON':
      return 'Correct the field named in the message and try again.';
    case 'EVENT_EVICTED':
    case 'EVICTED':
      return 'The journal keeps only its newest events: this one has been overwritten. Look at a newer range.';
  }
  if (error.status === 404) return 'It does not exist (any more): check the id, or reload the list.';
  if (error.status === 409) return 'Something else is in progress: wait for it to finish, then try again.';
  if (error.status === 413) return 'The request is too large for the hub (see its --max-body).';
  if (error.status === 429) return 'Too many at once: wait a little and try again.';
  if (error.status >= 500)
    return 'The hub failed to answer this; its log has the details. Retry, or restart the hub.';
  return 'Try again; if it keeps failing, the hub log may say why.';
}
