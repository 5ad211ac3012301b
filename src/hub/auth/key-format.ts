/**
 * The shape of an API key, with no imports: the wire schemas (and so the UI) and `cz`'s root-key reader share
 * it, and `cz` must be able to load it without zod.
 *
 * @module
 */

/** A well-formed API key: `cz_` and 43 base64url characters (32 random bytes). */
export const KEY_PATTERN = /^cz_[A-Za-z0-9_-]{43}$/;
