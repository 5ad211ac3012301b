import { useEffect, useState } from 'react';
import { Button } from '../../components/Button.tsx';

/**
 * Copies `text` and says "Copied" (or "Copy failed", when the browser refuses: a page not served from
 * 127.0.0.1 or https) for two seconds; the outcome is announced to screen readers.
 */
export function Copy({ text, label, title }: { text: string; label: string; title?: string }) {
  const [outcome, setOutcome] = useState<'copied' | 'failed' | null>(null);
  useEffect(() => {
    if (outcome === null) return;
    const timer = setTimeout(() => setOutcome(null), 2000);
    return () => clearTimeout(timer);
  }, [outcome]);
  const copy = () => {
    if (!navigator.clipboard) return setOutcome('failed');
    navigator.clipboard.writeText(text).then(
      () => setOutcome('copied'),
      () => setOutcome('failed'),
    );
  };
  return (
    <Button size="sm" onClick={copy} title={title ?? 'Copy to the clipboard'}>
      <span aria-live="polite">
        {outcome === 'copied' ? 'Copied' : outcome === 'failed' ? 'Copy failed' : label}
      </span>
    </Button>
  );
}
