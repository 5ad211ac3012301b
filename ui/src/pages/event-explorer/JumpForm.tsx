import { type FormEvent, useId, useState } from 'react';
import { getRing, toApiError } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { formatNumber } from '../../lib/format.ts';
import { parseTimeBound, TIME_HINT } from '../../../../src/hub/events/time.ts';
import { sequenceInSlot } from './filters.ts';

type Kind = 'seq' | 'slot' | 'time';
const PLACEHOLDERS: Record<Kind, string> = {
  seq: 'e.g. 1200',
  slot: 'e.g. 42',
  time: '5m or 2026-11-22T08:00Z',
};

/**
 * Jump to a sequence number, to the event now stored in a ring slot, or to a time (the first event at or
 * after it). A slot is resolved against the ring's geometry and retained window when asked.
 */
export function JumpForm({
  onSequence,
  onTime,
}: {
  onSequence: (seq: number) => void;
  onTime: (since: string) => void;
}) {
  const id = useId();
  const [kind, setKind] = useState<Kind>('seq');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = text.trim();
    setProblem(null);
    if (kind === 'time') {
      if (parseTimeBound(value) === null) return setProblem(`Expected ${TIME_HINT}.`);
      return onTime(value);
    }
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
      return setProblem(kind === 'seq' ? 'Expected a sequence number.' : 'Expected a slot number.');
    const n = Number(value);
    if (kind === 'seq') return onSequence(n);
    setBusy(true);
    try {
      const ring = await getRing();
      const { slotCount } = ring.geometry;
      if (n >= slotCount)
        return setProblem(
          `The ring has ${formatNumber(slotCount)} slots (0–${formatNumber(slotCount - 1)}).`,
        );
      const seq = sequenceInSlot(n, slotCount, ring.head, ring.tail);
      if (seq === null) return setProblem(`Slot ${formatNumber(n)} holds no retained event yet.`);
      onSequence(seq);
    } catch (error) {
      setProblem(`Reading the ring failed: ${toApiError(error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="jump" onSubmit={(e) => void submit(e)} aria-label="Jump">
      <label className="visually-hidden" htmlFor={`${id}-kind`}>
        Jump to
      </label>
      <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        <option value="seq">Sequence</option>
        <option value="slot">Slot</option>
        <option value="time">Time</option>
      </select>
      <label className="visually-hidden" htmlFor={`${id}-value`}>
        {kind === 'seq' ? 'Sequence number' : kind === 'slot' ? 'Slot number' : 'Time'}
      </label>
      <input
        id={`${id}-value`}
        type="text"
        value={text}
        placeholder={PLACEHOLDERS[kind]}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-problem` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          setProblem(null);
        }}
      />
      <Button type="submit" size="sm" disabled={busy || text.trim() === ''}>
        Jump
      </Button>
      {problem && (
        <div className="jump-problem" id={`${id}-problem`} role="alert">
          {problem}
        </div>
      )}
    </form>
  );
}
