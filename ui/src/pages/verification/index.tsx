import { PageHeader } from '../../components/PageHeader.tsx';

/** Verification: Run the property suites and the journal checks, and look at past runs. (a placeholder that routes; the page itself is being written). */
export default function VerificationPage() {
  return (
    <PageHeader
      title="Verification"
      description="Run the property suites and the journal checks, and look at past runs."
    />
  );
}
