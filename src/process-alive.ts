/**
 * Whether a process exists on this machine, by pid (signal 0 checks without sending anything).
 * For the owners of things a process leaves behind when it dies without cleaning up: a budget
 * instance's heartbeat, a warm spare's scratch directory.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user — alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
