import { PageHeader } from '../../components/PageHeader.tsx';

/** Overview: Live throughput, ring and blob utilization, counters and sequencer health. (a placeholder that routes; the page itself is being written). */
export default function OverviewPage() {
  return (
    <PageHeader
      title="Overview"
      description="Live throughput, ring and blob utilization, counters and sequencer health."
    />
  );
}
