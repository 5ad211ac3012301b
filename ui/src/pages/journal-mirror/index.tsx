import { PageHeader } from '../../components/PageHeader.tsx';

/** Journal Mirror: The ring and blob regions with head, tail and consumer cursors, live; playback controls. (a placeholder that routes; the page itself is being written). */
export default function JournalMirrorPage() {
  return (
    <PageHeader
      title="Journal Mirror"
      description="The ring and blob regions with head, tail and consumer cursors, live; playback controls."
    />
  );
}
