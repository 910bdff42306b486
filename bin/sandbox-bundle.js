#!/usr/bin/env node
// The sandbox-bundle command: the compiled CLI does the work.
import '../dist/src/cli/main.js';
