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

/** OTLP's error body: a google.rpc.Status in its JSON form (the OTLP/HTTP spec's answer to every 4xx and 5xx). */
export interface OtlpStatusBody {
  /** The gRPC code nearest the HTTP status (OTLP clients may record it; they decide by the HTTP status). */
  code: number;
  message: string;
  /** `google.protobuf.Any`s: ErrorInfo (the hub's code as `reason`), BadRequest, RetryInfo. */
  details: ({ '@type': string } & Record<string, unknown>)[];
}

const GRPC_CODE_OF_STATUS: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

const ANY = 'type.googleapis.com/google.rpc.';

/**
 * A HubError as a google.rpc.Status: the hub's code travels as an ErrorInfo `reason`, the named fields of a
 * validation error as a BadRequest, a Retry-After as a RetryInfo.
 */
export function otlpStatusBody(error: HubError): OtlpStatusBody {
  const details: OtlpStatusBody['details'] = [
    { '@type': `${ANY}ErrorInfo`, reason: error.code, domain: 'lacrimosa.hub' },
  ];
  const issues = (error.details as { issues?: unknown } | undefined)?.issues;
  if (Array.isArray(issues)) {
    details.push({
      '@type': `${ANY}BadRequest`,
      fieldViolations: (issues as { field: string; message: string }[]).map((i) => ({
        field: i.field,
        description: i.message,
      })),
    });
  }
  const retryAfter = Object.entries(error.headers).find(([name]) => name.toLowerCase() === 'retry-after');
  if (retryAfter && /^\d+$/.test(retryAfter[1]))
    details.push({ '@type': `${ANY}RetryInfo`, retryDelay: `${retryAfter[1]}s` });
  return {
    code: GRPC_CODE_OF_STATUS[error.status] ?? (error.status >= 500 ? 13 : 2),
    message: error.message,
    details,
  };
}
