import { readdirSync, readFileSync } from 'node:fs';

/** Linux's clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every common build). */
const TICKS_PER_SECOND = 100;

/** CPU time spent so far, in ms: the Temporal server's process, and this one (clients, workers and their threads, the mail sink). */
export interface CpuSpent {
  server: number | undefined;
  here: number;
}

/**
 * The process of the dev server listening at `address` (started by test/global-setup.ts through the
 * SDK, a child of jest's parent process): found by its command line, which names the port.
 */
export function devServerPid(address: string): number | undefined {
  const port = address.split(':').at(-1);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('start-dev') && args[args.indexOf('--port') + 1] === port) return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces, so cut at its closing parenthesis): utime is the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export function cpuSpent(serverPid: number | undefined): CpuSpent {
  const { user, system } = process.cpuUsage();
  return { server: serverPid === undefined ? undefined : processCpuMs(serverPid), here: (user + system) / 1000 };
}

/** CPU ms per command between two readings: the server's and this process's. */
export function cpuPerCommand(from: CpuSpent, to: CpuSpent, commands: number): { server: number | undefined; here: number } {
  return {
    server: from.server === undefined || to.server === undefined ? undefined : (to.server - from.server) / commands,
    here: (to.here - from.here) / commands,
  };
}
