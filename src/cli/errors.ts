/**
 * `UserError`: a problem the user can fix (bad flag, missing file, failed check). The CLI prints its
 * message without a stack trace and exits with its code; anything else is a bug and keeps its stack.
 *
 * @module
 */
export class UserError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}
