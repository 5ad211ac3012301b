import { type FormEvent, useId, useState } from 'react';
import { Button } from '../../components/Button.tsx';
import { formatNodeId } from '../../lib/format.ts';
import { type FilterText, FILTER_FIELDS, streamList, validateFilters } from './filters.ts';

export interface StreamOption {
  id: number;
  name: string;
}

export interface FilterBarProps {
  filters: FilterText;
  streams: readonly StreamOption[];
  /** Senders seen by the hub (id and label), offered as suggestions. */
  nodes: readonly { id: number; label: string }[];
  onApply: (filters: FilterText) => void;
}

const EMPTY: FilterText = { stream: '', node: '', from: '', to: '', since: '', until: '' };

/**
 * The selection form: stream and node, a sequence range and a time range. Typed values are applied on Enter
 * or "Apply" (not per keystroke), and checked first, with the reason shown at the field.
 */
export function FilterBar(props: FilterBarProps) {
  const { filters, streams, nodes } = props;
  // The draft restarts from the applied filters whenever they change from outside (links, back, reset).
  const [draft, setDraft] = useState<{ base: FilterText; value: FilterText }>({
    base: filters,
    value: filters,
  });
  const value = sameFilters(draft.base, filters) ? draft.value : filters;
  const [problems, setProblems] = useState<ReturnType<typeof validateFilters>>({});
  const id = useId();
  const set = (field: keyof FilterText, text: string) => {
    setDraft({ base: filters, value: { ...value, [field]: text } });
    if (problems[field]) setProblems({ ...problems, [field]: undefined });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateFilters(value);
    setProblems(found);
    if (Object.values(found).some(Boolean)) return;
    props.onApply(value);
  };
  const dirty = !sameFilters(value, filters);
  const streamValues = streamList(value.stream);
  const custom =
    streamValues.length > 1 ||
    (streamValues.length === 1 && !streams.some((s) => matches(s, streamValues[0]!)));

  const input = (field: keyof FilterText, label: string, placeholder: string, width: string) => (
    <div className={problems[field] ? 'filter filter-invalid' : 'filter'} style={{ width }}>
      <label htmlFor={`${id}-${field}`}>{label}</label>
      <input
        id={`${id}-${field}`}
        type="text"
        value={value[field]}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        list={field === 'node' ? `${id}-nodes` : undefined}
        aria-invalid={problems[field] ? true : undefined}
        aria-describedby={problems[field] ? `${id}-${field}-error` : undefined}
        onChange={(e) => set(field, e.target.value)}
      />
      {problems[field] && (
        <div className="filter-error" id={`${id}-${field}-error`}>
          {problems[field]}
        </div>
      )}
    </div>
  );

  return (
    <form className="explorer-filters" onSubmit={submit} aria-label="Filter events">
      <div className="filter" style={{ width: '150px' }}>
        <label htmlFor={`${id}-stream`}>Stream</label>
        <select id={`${id}-stream`} value={value.stream} onChange={(e) => set('stream', e.target.value)}>
          <option value="">All streams</option>
          {streams.map((s) => (
            <option key={s.id} value={s.name}>
              {s.name}
            </option>
          ))}
          {custom && <option value={value.stream}>{value.stream}</option>}
        </select>
      </div>
      {input('node', 'Node', '127.0.0.1 or 0x…', '150px')}
      <datalist id={`${id}-nodes`}>
        {nodes.map((n) => (
          <option key={n.id} value={n.label}>
            {formatNodeId(n.id, false)}
          </option>
        ))}
      </datalist>
      <div className="filter-pair" role="group" aria-labelledby={`${id}-seq-range`}>
        <span className="filter-pair-label" id={`${id}-seq-range`}>
          Sequence [from, to)
        </span>
        <div className="filter-pair-inputs">
          {input('from', 'From sequence', 'oldest', '84px')}
          {input('to', 'To sequence', 'head', '84px')}
        </div>
      </div>
      <div className="filter-pair" role="group" aria-labelledby={`${id}-time-range`}>
        <span className="filter-pair-label" id={`${id}-time-range`}>
          Time [since, until)
        </span>
        <div className="filter-pair-inputs">
          {input('since', 'Since', '5m, 1h, RFC 3339', '132px')}
          {input('until', 'Until', 'now', '132px')}
        </div>
      </div>
      <div className="filter-actions">
        <Button type="submit" variant={dirty ? 'primary' : 'secondary'}>
          Apply
        </Button>
        <Button
          variant="ghost"
          disabled={FILTER_FIELDS.every((f) => value[f] === '' && filters[f] === '')}
          onClick={() => {
            setProblems({});
            setDraft({ base: filters, value: EMPTY });
            props.onApply(EMPTY);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}

const matches = (stream: StreamOption, text: string) => stream.name === text || String(stream.id) === text;

const sameFilters = (a: FilterText, b: FilterText) => FILTER_FIELDS.every((f) => a[f] === b[f]);
