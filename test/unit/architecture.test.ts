/**
 * The house's rules, checked on the source itself (docs/design.md): imports only point down a floor, no two files
 * import each other in a circle (type-only imports included), and nothing points outside the repository.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(REPO, 'src');

/** The floors, top first: a file may import its own floor's files and any floor below, never one above. */
const FLOORS: readonly (readonly string[])[] = [
  ['cli'],
  ['agent', 'lab'],
  ['control'],
  ['policy'],
  ['observe'],
  ['guest'],
  ['host'],
  ['util'],
  ['errors.ts'],
];
/** Folders on one floor that must not import each other: the two ways to run the loop share what is below them. */
const SIBLINGS_APART = [['agent', 'lab']];

const IMPORT =
  /(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function files(dir: string, ext: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => ext.test(f))
    .map((f) => f.split('\\').join('/'));
}

/** file (relative to src, .ts) -> the src files it imports. */
function importGraph(sources: ReadonlyMap<string, string>): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const [f, text] of sources) {
    const out = new Set<string>();
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!spec) continue;
      out.add(posix.normalize(posix.join(posix.dirname(f), spec)).replace(/\.js$/, '.ts'));
    }
    g.set(f, [...out]);
  }
  return g;
}

/** The strongly connected components with more than one file (Tarjan): each is an import circle. */
function cycles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

const floorOf = (file: string): number => FLOORS.findIndex((f) => f.includes(file.split('/')[0] ?? ''));

function srcGraph(): Map<string, string[]> {
  const sources = new Map(files(SRC, /\.ts$/).map((f) => [f, readFileSync(join(SRC, f), 'utf8')] as const));
  return importGraph(sources);
}

describe('architecture', () => {
  test('every top-level entry of src/ is on a floor', () => {
    const top = new Set(files(SRC, /\.ts$/).map((f) => f.split('/')[0] ?? ''));
    for (const t of top) assert.ok(floorOf(t) >= 0, `src/${t} is on no floor: add it to FLOORS and docs/design.md`);
  });

  test('imports only point down a floor (or stay on it), and agent/ and lab/ never import each other', () => {
    const bad: string[] = [];
    for (const [f, targets] of srcGraph()) {
      for (const t of targets) {
        const [a, b] = [f.split('/')[0] ?? '', t.split('/')[0] ?? ''];
        if (floorOf(t) < floorOf(f)) bad.push(`${f} -> ${t} (up a floor)`);
        if (a !== b && SIBLINGS_APART.some((p) => p.includes(a) && p.includes(b))) bad.push(`${f} -> ${t} (sibling)`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('no import circles between files in src/ (type-only imports included)', () => {
    assert.deepEqual(cycles(srcGraph()), []);
  });

  test('the checker sees circles and floors (a test that can fail)', () => {
    const g = importGraph(
      new Map([
        ['lab/a.ts', "import type { B } from './b.js';"],
        ['lab/b.ts', "export { a } from './a.js';"],
        ['host/c.ts', "import { x } from '../lab/a.js';"],
      ]),
    );
    assert.deepEqual(cycles(g), [['lab/a.ts', 'lab/b.ts']]);
    assert.deepEqual(g.get('host/c.ts'), ['lab/a.ts']);
    assert.ok(floorOf('lab/a.ts') < floorOf('host/c.ts'));
  });

  test('nothing in src/, test/, bench/, scripts/, deploy/, docs/ or the README points outside the repository', () => {
    const outside = /\.\.\/shared\/|\/work\/shared|shared\/design\.md|reference\/(managers|literature|anchors)/;
    const bad: string[] = [];
    for (const dir of ['src', 'test', 'bench', 'scripts', 'deploy', 'docs']) {
      for (const f of files(join(REPO, dir), /\.(ts|mjs|sh|md|yaml|service|json)$/)) {
        const path = join(REPO, dir, f);
        if (path === fileURLToPath(import.meta.url)) continue;
        const text = readFileSync(path, 'utf8');
        if (outside.test(text)) bad.push(relative(REPO, path));
      }
    }
    if (outside.test(readFileSync(join(REPO, 'README.md'), 'utf8'))) bad.push('README.md');
    assert.deepEqual(bad, []);
  });
});
