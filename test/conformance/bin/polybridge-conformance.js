#!/usr/bin/env node
// Committed launcher: npm links bins at install time, before `tsc` has written dist/.
import "../dist/cli.js";
