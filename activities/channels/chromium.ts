// Chromium processes outlive a worker that is killed (puppeteer starts them in their own process
// group), and a leftover one holds the profile lock of its channel. Before a session starts and
// after it ends, any browser still running on that channel's profile is killed.
import fs from 'node:fs';

/** Process ids whose command line names this profile directory (Linux /proc; none elsewhere). */
export function browsersUsing(profileDir: string): number[] {
  if (!fs.existsSync('/proc')) return [];
  const marker = `--user-data-dir=${profileDir}`;
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(marker)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

export function reapBrowsers(profileDir: string): void {
  for (const pid of browsersUsing(profileDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
