#!/usr/bin/env node
// tspod's node entry point (bin/tspod, the shell launcher, starts it); the work
// is in src/cli/entry.ts.
import { main } from '../dist/cli/entry.js';

await main();
