#!/usr/bin/env node
// The CLI runs the same bundle as the actions.
import { runCli } from '../dist/index.js';

await runCli(process.argv.slice(2));
