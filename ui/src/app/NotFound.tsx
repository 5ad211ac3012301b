import { Empty } from '../components/States.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { Link, useLocation } from './router.tsx';

/** An unknown path: say which, and offer the way back. */
export default function NotFound() {
  const { path } = useLocation();
  return (
    <>
      <PageHeader title="Page not found" />
      <Empty
        title={
          <>
            There is no page at <code>{path}</code>.
          </>
        }
        hint="It may have moved: the navigation on the left lists every page."
        action={<Link to="/">Go to the Overview</Link>}
      />
    </>
  );
}
