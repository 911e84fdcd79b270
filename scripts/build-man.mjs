#!/usr/bin/env node
// Writes dist/man/lwaftrctl.1 (package.json "man") from the built CLI's command definitions,
// so that `man lwaftrctl` says what --help says. Run by `npm run build`, after tsc.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { commandDefinitions } = await import(path.join(root, 'dist/cli/parse-args.js'));
const { manPage } = await import(path.join(root, 'dist/cli/man-page.js'));
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.join(root, 'dist/man/lwaftrctl.1');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, manPage(commandDefinitions(version), version));
