import { PageHeader } from '../../components/PageHeader.tsx';

/** Topology: Nodes, streams and consumers as a graph, with live rates on the edges. (a placeholder that routes; the page itself is being written). */
export default function TopologyPage() {
  return (
    <PageHeader
      title="Topology"
      description="Nodes, streams and consumers as a graph, with live rates on the edges."
    />
  );
}
