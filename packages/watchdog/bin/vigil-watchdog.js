#!/usr/bin/env -S node --lite-mode --max-semi-space-size=1 --single-threaded-gc
// The `vigil-watchdog` command. A committed stub so that `pnpm install` on a fresh clone can
// link the bin before the first build; the program itself is compiled to dist/.
import '../dist/bin/vigil-watchdog.js';
