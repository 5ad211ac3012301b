/**
 * The key modal: opens on the first visit without a key, on any 401 (REST) or 4401 (`/ws`), after a malformed
 * login link, and after the key is cleared in Settings. It tries a key against the hub before keeping it.
 *
 * @module
 */
import { type FormEvent, useState } from 'react';
import { type ApiError, adviceFor, toApiError } from '../api/errors.ts';
import { getSystem } from '../api/runtime.ts';
import { Button } from '../components/Button.tsx';
import { Field } from '../components/Field.tsx';
import { Modal } from '../components/Modal.tsx';
import { looksLikeKey } from './key.ts';
import { dismissPrompt, login, type Session, useSession } from './session.ts';

const HEADINGS: Record<NonNullable<Session['prompt']>['reason'], string> = {
  missing: 'Connect to the hub',
  rejected: 'The hub refused the key',
  malformed: 'That login link did not work',
  cleared: 'Key cleared',
};

export function KeyModal() {
  const { prompt } = useSession();
  if (!prompt) return null;
  return <KeyForm reason={prompt.reason} message={prompt.message} />;
}

function KeyForm({ reason, message }: NonNullable<Session['prompt']>) {
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = value.trim();
    setFailure(null);
    if (!looksLikeKey(key)) {
      setProblem('A key looks like cz_ followed by 43 letters, digits, "-" or "_".');
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      await getSystem({ key });
      login(key);
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title={HEADINGS[reason]}
      onClose={dismissPrompt}
      footer={
        <>
          <Button variant="ghost" onClick={dismissPrompt}>
            Not now
          </Button>
          <Button variant="primary" type="submit" form="key-form" disabled={busy}>
            {busy ? 'Checking…' : 'Connect'}
          </Button>
        </>
      }
    >
      {message && <p className="modal-reason">{message}</p>}
      <p className="muted">
        Paste an API key. The root key is in <code>.lacrimosa/root.key</code> (made on the hub&apos;s first
        start), and <code>./lacrimosa</code> prints a one-click login link. The key stays in this browser
        until you clear it in Settings.
      </p>
      <form id="key-form" onSubmit={submit} noValidate>
        <Field
          label="API key"
          error={
            problem ??
            (failure ? (
              <>
                <code>{failure.code}</code> {withFullStop(failure.message)} {adviceFor(failure)}
              </>
            ) : undefined)
          }
        >
          <input
            type="password"
            name="api-key"
            autoComplete="off"
            spellCheck={false}
            placeholder="cz_…"
            value={value}
            onChange={(event) => setValue(event.target.value)}
            data-autofocus
            className="input-wide mono"
          />
        </Field>
      </form>
    </Modal>
  );
}

/** Hub messages usually end without a full stop; the advice that follows is a sentence of its own. */
function withFullStop(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}
