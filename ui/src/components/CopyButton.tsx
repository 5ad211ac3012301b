import { useEffect, useState } from 'react';
import { Button } from './Button.tsx';

/**
 * Copies `text` to the clipboard and says so for two seconds ("Copied", or "Copy failed" when the browser
 * refuses, e.g. on a page not served from 127.0.0.1 or https). The outcome is announced to screen readers.
 */
export function CopyButton({
  text,
  label = 'Copy',
  title,
  size = 'sm',
}: {
  text: string;
  label?: string;
  title?: string;
  size?: 'sm' | 'md';
}) {
  const [outcome, setOutcome] = useState<'copied' | 'failed' | null>(null);
  useEffect(() => {
    if (outcome === null) return;
    const timer = setTimeout(() => setOutcome(null), 2000);
    return () => clearTimeout(timer);
  }, [outcome]);
  const copy = () => {
    if (!navigator.clipboard) {
      setOutcome('failed');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setOutcome('copied'),
      () => setOutcome('failed'),
    );
  };
  return (
    <Button size={size} onClick={copy} title={title ?? 'Copy to the clipboard'}>
      <span aria-live="polite">
        {outcome === 'copied' ? 'Copied' : outcome === 'failed' ? 'Copy failed' : label}
      </span>
    </Button>
  );
}
