import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'ok' | 'warn' | 'bad' | 'info' | 'accent';

/** A small label with a tone: states (`running`, `failed`), scopes, flags. */
export function Badge({
  tone = 'neutral',
  children,
  title,
}: {
  tone?: Tone;
  children: ReactNode;
  title?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** A colored dot with a text label, for health at a glance; the label carries the meaning, not the color. */
export function StatusDot({ tone, label }: { tone: Tone; label: ReactNode }) {
  return (
    <span className="status-dot">
      <span className={`dot dot-${tone}`} aria-hidden="true" />
      {label}
    </span>
  );
}
