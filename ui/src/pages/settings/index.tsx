import { maskKey } from '../../auth/key.ts';
import { logout, promptForKey, useSession } from '../../auth/session.ts';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { formatDuration } from '../../lib/format.ts';
import { REFRESH_CHOICES, resolveTheme, setPrefs, type ThemePref, usePrefs } from '../../prefs.ts';
import { useHubSocket } from '../../ws/hooks.tsx';
import './settings.css';

const THEMES: { value: ThemePref; label: string }[] = [
  { value: 'system', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Settings: this browser's key, theme and refresh interval. */
export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="This browser's key and preferences." />
      <div className="settings-grid">
        <SessionCard />
        <AppearanceCard />
        <RefreshCard />
      </div>
    </>
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
