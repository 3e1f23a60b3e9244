import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bearerChecker } from '../../../src/agent/http-auth.js';
import { loadToken } from '../../../src/agent/token.js';
import { usageError } from '../fixtures.js';

const dir = await mkdtemp(join(tmpdir(), 'overcommit-agent-token-'));
after(() => rm(dir, { recursive: true, force: true }));

describe('API token', () => {
  test('from the config, from a file (first line, trimmed), or none', async () => {
    assert.deepEqual(await loadToken({}), { warnings: [] });
    assert.deepEqual(await loadToken({ token: 'a'.repeat(16) }), { token: 'a'.repeat(16), warnings: [] });
    const path = join(dir, 'token');
    await writeFile(path, '0123456789abcdef0123\nignored\n', { mode: 0o600 });
    assert.deepEqual(await loadToken({ tokenFile: path }), { token: '0123456789abcdef0123', warnings: [] });
  });

  test('a token file others can read is a warning; a short or missing one an error', async () => {
    const open = join(dir, 'open');
    await writeFile(open, '0123456789abcdef0123\n', { mode: 0o644 });
    const r = await loadToken({ tokenFile: open });
    assert.match(r.warnings[0] ?? '', /can be read by others \(mode 644\): chmod 600/);
    const short = join(dir, 'short');
    await writeFile(short, 'abc\n', { mode: 0o600 });
    await assert.rejects(loadToken({ tokenFile: short }), usageError(/3 characters, at least 16/));
    await assert.rejects(loadToken({ tokenFile: join(dir, 'nope') }), usageError(/cannot read .*ENOENT/));
  });

  test('bearer check', () => {
    const check = bearerChecker('0123456789abcdef');
    assert.equal(check('Bearer 0123456789abcdef'), 'ok');
    assert.equal(check('bearer 0123456789abcdef '), 'ok');
    assert.equal(check('Bearer 0123456789abcdeF'), 'wrong');
    assert.equal(check('Bearer 0'), 'wrong');
    assert.equal(check(undefined), 'missing');
    assert.equal(check('Basic 0123456789abcdef'), 'missing');
    assert.equal(bearerChecker(undefined)('Bearer 0123456789abcdef'), 'no-token-configured');
  });
});
