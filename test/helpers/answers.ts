/**
 * Checking the hub's answers in tests: a success parsed with the route's own zod schema, or a failure in the
 * hub's error shape with the expected status and code. The message is part of the assertion, so a wrong
 * answer shows why.
 */
import { expect } from 'vitest';
import type { z } from 'zod';

export interface HubErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** Expects `status` (200 by default) and returns the body parsed with `schema`. */
export async function ok<S extends z.ZodType>(
  response: Response | Promise<Response>,
  schema: S,
  status = 200,
): Promise<z.infer<S>> {
  const r = await response;
  const text = await r.text();
  expect(r.status, text).toBe(status);
  return schema.parse(JSON.parse(text));
}

/** Expects an error answer with `status` and `code`; returns the whole error object. */
export async function failureError(
  response: Response | Promise<Response>,
  status: number,
  code: string,
): Promise<HubErrorBody> {
  const r = await response;
  const body = (await r.json()) as { error: HubErrorBody };
  expect({ status: r.status, code: body.error.code }, body.error.message).toEqual({ status, code });
  return body.error;
}

/** Expects an error answer with `status` and `code`; returns its message. */
export async function failure(
  response: Response | Promise<Response>,
  status: number,
  code: string,
): Promise<string> {
  return (await failureError(response, status, code)).message;
}
