// Entry point of the verification worker thread: TypeScript loads through tsx here, as in bin/cz, because a
// worker does not inherit the loader hooks of the thread that started it.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
