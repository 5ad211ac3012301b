/**
 * Where the hub finds the built control center unless told otherwise, in a module of its own so that `cz hub`'s
 * options can show it without loading the hub.
 *
 * @module
 */
import { resolve } from 'node:path';

/** ui/dist of this checkout. */
export const DEFAULT_UI_DIR = resolve(new URL('../../ui/dist', import.meta.url).pathname);
