/**
 * Waiting for SIGINT/SIGTERM in long-running commands. Call it before announcing readiness: whoever reads the
 * ready line may signal at once. A second signal while shutting down exits immediately.
 *
 * A process started by `./lacrimosa` carries its launcher's pid in `CZ_SUPERVISOR_PID` and runs in its own
 * process group (so Ctrl-C reaches only the launcher, which stops its children in order). Should the launcher
 * vanish without stopping it (kill -9), the child notices that its parent changed and stops as if it had been
 * sent SIGHUP, instead of running on as an orphan.
 *
 * @module
 */
export const SUPERVISOR_ENV = 'CZ_SUPERVISOR_PID';

const SUPERVISOR_POLL_MS = 500;

export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let watchdog: NodeJS.Timeout | null = null;
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (watchdog !== null) clearInterval(watchdog);
      const force = (): void => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const supervisor = Number(process.env[SUPERVISOR_ENV]);
    // Only when that launcher really is the parent: a stray variable in a shell must not stop anything.
    if (supervisor > 0 && process.ppid === supervisor) {
      watchdog = setInterval(() => {
        if (process.ppid !== supervisor) onSignal('SIGHUP');
      }, SUPERVISOR_POLL_MS);
      watchdog.unref();
    }
  });
}
