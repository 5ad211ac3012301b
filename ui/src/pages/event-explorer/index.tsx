import { PageHeader } from '../../components/PageHeader.tsx';

/** Event Explorer: Page through the journal by sequence, time, stream or node, and inspect payloads. (a placeholder that routes; the page itself is being written). */
export default function EventExplorerPage() {
  return (
    <PageHeader
      title="Event Explorer"
      description="Page through the journal by sequence, time, stream or node, and inspect payloads."
    />
  );
}
