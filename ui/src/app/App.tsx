/**
 * The application: the socket provider around the shell, and the key modal above everything.
 *
 * @module
 */
import { KeyModal } from '../auth/KeyModal.tsx';
import { HubSocketProvider } from '../ws/hooks.tsx';
import { Shell } from './Shell.tsx';

export function App() {
  return (
    <HubSocketProvider>
      <Shell />
      <KeyModal />
    </HubSocketProvider>
  );
}
