/**
 * The query endpoints' client functions against a real hub reading a real journal (written in-process by the
 * native sequencer): rows, the NDJSON download, the check, saved queries, the history, and the hub's errors
 * as ApiErrors.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTestJournals, testJournal } from '../../../src/hub/events/test-journal.ts';
import { closeHubs, startHub, type TestHub } from '../../../test/helpers/hub.ts';
import { killAll, tempDir } from '../../../test/helpers/processes.ts';
import { ApiError } from './errors.ts';
import {
  checkQuery,
  deleteSavedQuery,
  downloadQuery,
  getQueryHistory,
  listSavedQueries,
  runQuery,
  saveQuery,
  updateSavedQuery,
} from './query.ts';
import { type ApiConfig, configureApi } from './transport.ts';

let hub: TestHub;
let original: ApiConfig;

beforeAll(async () => {
  const journal = testJournal();
  const encoder = new TextEncoder();
  await journal.write(
    Array.from({ length: 12 }, (_, i) => ({
      streamId: 0,
      nodeId: 1,
      payload: encoder.encode(JSON.stringify({ n: i, tag: i % 2 ? 'odd' : 'even' })),
    })),
  );
  hub = await startHub({ journalPath: journal.path, ipcPath: join(tempDir('cz-ui-query-'), 'none.sock') });
  original = configureApi({ baseUrl: hub.url, getKey: () => hub.rootKey });
});

afterAll(async () => {
  configureApi(original);
  await closeHubs();
  closeTestJournals();
  await killAll();
});

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('query client', () => {
  it('runs a query and downloads all of its rows as NDJSON', async () => {
    const result = await runQuery('SELECT n, tag FROM * WHERE n >= 9');
    expect(result.columns).toEqual(['n', 'tag']);
    expect(result.rows).toEqual([
      [9, 'odd'],
      [10, 'even'],
      [11, 'odd'],
    ]);
    const download = await downloadQuery('SELECT n FROM * WHERE tag = "even"');
    expect(download.columns).toEqual(['n']);
    expect(download.rows).toEqual([[0], [2], [4], [6], [8], [10]]);
    expect(download.ndjson.split('\n')[0]).toBe(
      '{"query":"SELECT n FROM * WHERE tag = \\"even\\"","columns":["n"]}',
    );
  });

  it('turns the hub’s errors into ApiErrors, the syntax error with its position', async () => {
    const syntax = await rejection(runQuery('SELECT n FROM * WHERE'));
    expect(syntax).toMatchObject({ status: 400, code: 'QUERY_SYNTAX' });
    expect(syntax.details).toMatchObject({ offset: 21, length: 0, found: 'end of input' });
    const unknown = await rejection(downloadQuery('SELECT n FROM nowhere'));
    expect(unknown).toMatchObject({ status: 400, code: 'UNKNOWN_STREAM' });
  });

  it('checks a query without running it', async () => {
    expect(await checkQuery('select n from *')).toEqual({ ok: true, query: 'SELECT n FROM *' });
    const bad = await checkQuery('SELECT n FROM * LIMIT x');
    expect(bad).toMatchObject({ ok: false, error: { offset: 22, length: 1, found: '"x"' } });
  });

  it('saves, renames, lists and deletes queries; refuses a taken name', async () => {
    const saved = await saveQuery({ name: 'evens', query: 'SELECT n FROM * WHERE tag = "even"' });
    expect(saved.name).toBe('evens');
    const taken = await rejection(saveQuery({ name: 'evens', query: 'SELECT * FROM *' }));
    expect(taken).toMatchObject({ status: 409, code: 'NAME_TAKEN' });
    const local = await rejection(saveQuery({ name: '', query: 'SELECT * FROM *' }));
    expect(local).toMatchObject({ status: 0, code: 'INVALID_REQUEST', message: 'body.name: name is empty' });
    const renamed = await updateSavedQuery(saved.id, { name: 'even numbers' });
    expect(renamed).toMatchObject({ id: saved.id, name: 'even numbers', query: saved.query });
    expect((await listSavedQueries()).queries.map((q) => q.name)).toEqual(['even numbers']);
    await deleteSavedQuery(saved.id);
    expect((await listSavedQueries()).queries).toEqual([]);
  });

  it('reads the history, newest first', async () => {
    await runQuery('SELECT COUNT(*) FROM *');
    const { entries } = await getQueryHistory(2);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ query: 'SELECT COUNT(*) FROM *', rows: 1, ok: true, keyName: 'root' });
  });
});
