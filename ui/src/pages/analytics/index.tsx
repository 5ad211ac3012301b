import { PageHeader } from '../../components/PageHeader.tsx';

/** Analytics: Per-stream and per-node rates over time, payload sizes, clock skew between senders. (a placeholder that routes; the page itself is being written). */
export default function AnalyticsPage() {
  return (
    <PageHeader
      title="Analytics"
      description="Per-stream and per-node rates over time, payload sizes, clock skew between senders."
    />
  );
}
