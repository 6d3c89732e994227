// One memory floor: node with the given flags (argv before this file), having loaded `module`
// (or nothing: "-"), optionally with an idle Worker beside it (the agent's stall sentinel costs
// one). Settles, collects, then prints its VmRSS and RssAnon in kB as JSON on stdout.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const [what = '-', worker = ''] = process.argv.slice(2);
if (what !== '-') await import(what);
const idle = worker === 'worker' ? new Worker('setInterval(() => {}, 1 << 30)', { eval: true }) : null;
await new Promise((resolve) => setTimeout(resolve, 1500));
globalThis.gc?.();
await new Promise((resolve) => setTimeout(resolve, 500));
const status = readFileSync('/proc/self/status', 'utf8');
const kB = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1]);
process.stdout.write(`${JSON.stringify({ rssKB: kB('VmRSS'), anonKB: kB('RssAnon') })}\n`);
await idle?.terminate();
process.exit(0);
