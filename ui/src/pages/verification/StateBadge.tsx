import { Badge, type Tone } from '../../components/Badge.tsx';
import type { VerifyRunSummary } from '../../api/index.ts';

const TONES: Record<VerifyRunSummary['state'], Tone> = {
  running: 'info',
  passed: 'ok',
  failed: 'bad',
  error: 'bad',
  interrupted: 'warn',
};

const LABELS: Record<VerifyRunSummary['state'], string> = {
  running: 'running',
  passed: '✓ passed',
  failed: '✗ failed',
  error: 'error',
  interrupted: 'interrupted',
};

/** A run's state in words (the tone only repeats it). */
export function StateBadge({ state }: { state: VerifyRunSummary['state'] }) {
  return <Badge tone={TONES[state]}>{LABELS[state]}</Badge>;
}
