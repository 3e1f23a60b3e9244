#!/usr/bin/env node
// Finds test files (Node 20's --test does not expand globs) and runs them through tsx, one file at a time:
// host tests change global kernel state and must never overlap.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const which = process.argv[2] ?? 'all';
const roots = which === 'all' ? ['test/unit', 'test/host'] : [`test/${which}`];
const files = [];
for (const root of roots) {
  let entries = [];
  try {
    entries = readdirSync(root, { recursive: true });
  } catch {
    continue;
  }
  for (const e of entries) if (String(e).endsWith('.test.ts')) files.push(join(root, String(e)));
}
files.sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', ...process.argv.slice(3), ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
