// Run by `npm install`: makes sure the Temporal CLI (the dev server) is available.
import { ensureTemporalCli } from '../temporal/cli';

const report = (line: string) => process.stdout.write(`[temporal-cli] ${line}\n`);

if (process.env.TEMPORAL_ADDRESS && !process.env.CI) {
  report('TEMPORAL_ADDRESS is set; the embedded dev server is not needed, skipping.');
} else {
  ensureTemporalCli(report)
    .then((binary) => report(`ready: ${binary}`))
    .catch((error: Error) => {
      process.stderr.write(`[temporal-cli] ${error.message}\n`);
      process.exit(1);
    });
}
