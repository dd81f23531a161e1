// Fails when the JavaScript a browser must fetch before the first paint grows past the budget.
// "Initial" is what web/dist/index.html loads: the entry script and the chunks it preloads;
// lazily loaded routes are not counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const budgetKb = Number(process.env.WEB_INITIAL_JS_BUDGET_KB ?? 250);
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]);

let totalKb = 0;
for (const file of files) {
  const kb = gzipSync(readFileSync(join(dist, file))).length / 1024;
  totalKb += kb;
  console.log(`${file.padEnd(48)} ${kb.toFixed(1)} KB gzip`);
}
console.log(`initial JS: ${totalKb.toFixed(1)} KB gzip (budget ${budgetKb} KB)`);
if (files.length === 0 || totalKb > budgetKb) process.exit(1);
