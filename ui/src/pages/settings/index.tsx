import { useState } from 'react';
import { listKeys } from '../../api/auth.ts';
import { useApi } from '../../api/useApi.ts';
import { maskKey } from '../../auth/key.ts';
import { logout, promptForKey, useSession } from '../../auth/session.ts';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { formatDuration } from '../../lib/format.ts';
import { REFRESH_CHOICES, resolveTheme, setPrefs, type ThemePref, usePrefs } from '../../prefs.ts';
import { useHubSocket } from '../../ws/hooks.tsx';
import { AuditCard } from './AuditCard.tsx';
import { KeysCard } from './KeysCard.tsx';
import './settings.css';

const THEMES: { value: ThemePref; label: string }[] = [
  { value: 'system', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/**
 * Settings: this browser's key, theme and refresh interval; for admin keys also the hub's API keys and its
 * audit log. A key without the admin scope gets a plain statement of that instead of failed requests.
 */
export default function SettingsPage() {
  return (
    <>
      <PageHeader
        title="Settings"
        description="This browser's key and preferences; the hub's API keys and audit log (admin)."
      />
      <div className="settings-grid">
        <SessionCard />
        <AppearanceCard />
        <RefreshCard />
      </div>
      <AdminSection />
    </>
  );
}

/**
 * Whether the key in use may manage keys: known from the `/ws` identity once the socket is open. Until then the
 * requests are made, and a 403 answer says the same.
 */
function useAdminAccess(): {
  admin: boolean | null;
  keyId: string | null;
  keyName: string | null;
  scopes: string[];
} {
  const { state, identity } = useHubSocket();
  if (state !== 'open' || !identity) return { admin: null, keyId: null, keyName: null, scopes: [] };
  return {
    admin: identity.scopes.includes('admin'),
    keyId: identity.id,
    keyName: identity.name,
    scopes: identity.scopes,
  };
}

function AdminSection() {
  const access = useAdminAccess();
  const { key } = useSession();
  const [changes, setChanges] = useState(0);
  const keys = useApi((signal) => listKeys({ includeRevoked: true }, { signal }), [changes], {
    refresh: 'auto',
    enabled: key !== null && access.admin !== false,
  });

  if (key === null) return null;
  if (access.admin === false || keys.error?.code === 'FORBIDDEN') {
    return <AdminNeeded keyName={access.keyName} scopes={access.scopes} />;
  }
  return (
    <div className="settings-admin">
      <KeysCard keys={keys} currentKeyId={access.keyId} onChanged={() => setChanges((n) => n + 1)} />
      <AuditCard keys={keys.data} changes={changes} />
    </div>
  );
}

function AdminNeeded({ keyName, scopes }: { keyName: string | null; scopes: string[] }) {
  return (
    <div className="settings-admin">
      <Card title="API keys and audit log">
        <div className="state state-empty">
          <div className="state-title">These need an admin key.</div>
          <div className="state-hint">
            {keyName ? (
              <>
                This browser uses <strong>{keyName}</strong>
                {scopes.length > 0 && <> ({scopes.join(', ')})</>}, which may not manage keys or read the
                audit log.{' '}
              </>
            ) : (
              <>The key in this browser may not manage keys or read the audit log. </>
            )}
            Use an admin key — the root key in <code>.lacrimosa/root.key</code> is one — to see them here.
          </div>
          <div className="state-action">
            <Button onClick={() => promptForKey('missing')}>Use another key</Button>
          </div>
        </div>
      </Card>
    </div>
  );
}

function SessionCard() {
  const { key } = useSession();
  const { identity, state } = useHubSocket();
  return (
    <Card title="API key in this browser">
      {key ? (
        <>
          <p>
            <code>{maskKey(key)}</code>{' '}
            {state === 'open' && identity && (
              <span className="muted">
                {identity.name} ·{' '}
                {identity.scopes.map((scope) => (
                  <Badge key={scope} tone={scope === 'admin' ? 'accent' : 'neutral'}>
                    {scope}
                  </Badge>
                ))}
              </span>
            )}
          </p>
          <p className="muted">
            Kept in this browser&apos;s local storage. Clear it on a shared computer; the key itself stays
            valid until an admin revokes it.
          </p>
          <div className="row">
            <Button onClick={() => promptForKey('missing')}>Use another key</Button>
            <Button variant="danger" onClick={logout}>
              Clear stored key
            </Button>
          </div>
        </>
      ) : (
        <>
          <p className="muted">No key is stored: the control center cannot read from the hub.</p>
          <Button variant="primary" onClick={() => promptForKey('missing')}>
            Enter a key
          </Button>
        </>
      )}
    </Card>
  );
}

function AppearanceCard() {
  const { theme } = usePrefs();
  return (
    <Card title="Theme">
      <fieldset className="choice-group">
        <legend className="visually-hidden">Theme</legend>
        {THEMES.map(({ value, label }) => (
          <label key={value} className="choice">
            <input
              type="radio"
              name="theme"
              value={value}
              checked={theme === value}
              onChange={() => setPrefs({ theme: value })}
            />
            {label}
            {value === 'system' && <span className="faint"> (now {resolveTheme('system')})</span>}
          </label>
        ))}
      </fieldset>
    </Card>
  );
}

function RefreshCard() {
  const { refreshMs } = usePrefs();
  return (
    <Card title="Refresh interval">
      <p className="muted">
        How often pages re-read polled data (keys, jobs, runs). Live numbers over the WebSocket are not
        affected.
      </p>
      <label className="row">
        <span>Refresh every</span>
        <select value={refreshMs} onChange={(event) => setPrefs({ refreshMs: Number(event.target.value) })}>
          {REFRESH_CHOICES.map((ms) => (
            <option key={ms} value={ms}>
              {ms === 0 ? 'never (manual)' : formatDuration(ms)}
            </option>
          ))}
        </select>
      </label>
    </Card>
  );
}
