/**
 * `HubError`: the one error type of the HTTP boundary. Every failure a client can cause or should know about
 * is a HubError with a status and a stable string code; the app's single error handler turns it into
 * `{ "error": { "code", "message", "details"? } }`. Anything else is a bug: logged with its stack, answered
 * as a 500 without one.
 *
 * @module
 */
import type { z } from 'zod';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export class HubError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    details?: unknown,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HubError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  body(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export const notFound = (what: string): HubError => new HubError(404, 'NOT_FOUND', `${what} not found`);

export const sequencerUnavailable = (ipcPath: string): HubError =>
  new HubError(
    503,
    'SEQUENCER_UNAVAILABLE',
    `the sequencer is not running (nothing answers on ${ipcPath}); start it with \`cz start\` and retry`,
  );

/** Names each offending field: `body.name: expected string, received number`. */
export function validationError(where: 'query' | 'params' | 'body', error: z.ZodError): HubError {
  const issues = error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new HubError(400, 'INVALID_REQUEST', `${first.field}: ${first.message}${more}`, { issues });
}
