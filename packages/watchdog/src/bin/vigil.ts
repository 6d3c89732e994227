#!/usr/bin/env node
import { main } from '../cli/main.js';

const code = await main(process.argv.slice(2));
// `run` resolves only after a graceful stop; everything else is done: leave with its code.
process.exitCode = code;
if (process.argv[2] !== 'run') process.exit(code);
