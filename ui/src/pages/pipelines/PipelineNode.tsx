/**
 * A node on the pipeline canvas: its kind, id and what it does, the live counters (in/out/errors/lag) while the
 * pipeline runs, and its validation issues. Input handles sit on the left (a join has `left` and `right`), the output on the right.
 *
 * @module
 */
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { formatNumber } from '../../lib/format.ts';
import type { NodeKind } from '../../../../src/hub/pipelines/schema.ts';
import { inputPorts, KIND_TITLES, type PipeNode, summarize } from './graph.ts';

/** What a node's lag counts, by kind (the hub's `NodeCounters.lag`). */
const LAG_TITLES: Record<NodeKind, string> = {
  source: 'journal events the run has not read yet',
  filter: 'records not through the node yet',
  transform: 'records not through the node yet',
  join: 'records held in the join buffers',
  aggregate: 'groups held in open windows',
  sink: 'records being delivered',
};

export function PipelineNodeView({ id, data, selected }: NodeProps<PipeNode>) {
  const ports = inputPorts(data.kind);
  const invalid = data.issues.length > 0;
  const c = data.counters;
  return (
    <div
      className={[
        'pipe-node',
        `pipe-node-${data.kind}`,
        invalid ? 'pipe-node-invalid' : '',
        selected ? 'pipe-node-selected' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      data-testid={`pipe-node-${id}`}
      data-kind={data.kind}
    >
      {ports.map((port, i) => (
        <Handle
          key={port}
          id={port}
          type="target"
          position={Position.Left}
          style={{ top: `${((i + 1) * 100) / (ports.length + 1)}%` }}
          data-testid={`handle-${id}-${port}`}
          title={port}
        />
      ))}
      <div className="pipe-node-head">
        <span className="pipe-node-kind">{KIND_TITLES[data.kind]}</span>
        <code className="pipe-node-id">{data.label || id}</code>
      </div>
      <div className="pipe-node-summary">{summarize(data.kind, data.config)}</div>
      {ports.length > 1 && <div className="pipe-node-ports muted">{ports.join(' / ')}</div>}
      {c && (
        <div className="pipe-node-counters num" data-testid={`counters-${id}`}>
          <span title="records in">in {formatNumber(c.in)}</span>
          <span title="records out">out {formatNumber(c.out)}</span>
          {c.errors > 0 && (
            <span className="pipe-node-errors" title={c.lastError ?? undefined}>
              err {formatNumber(c.errors)}
            </span>
          )}
          <span title={LAG_TITLES[data.kind]} data-testid={`lag-${id}`}>
            lag {formatNumber(c.lag)}
          </span>
        </div>
      )}
      {invalid && (
        <ul className="pipe-node-issues" data-testid={`issues-${id}`}>
          {data.issues.map((issue) => (
            <li key={issue}>{issue}</li>
          ))}
        </ul>
      )}
      {data.kind !== 'sink' && (
        <Handle
          id="out"
          type="source"
          position={Position.Right}
          data-testid={`handle-${id}-out`}
          title="out"
        />
      )}
    </div>
  );
}
