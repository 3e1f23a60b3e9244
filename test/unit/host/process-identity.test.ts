import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStatStartTime, parseStatState } from '../../../src/host/process-identity.js';

// /proc/PID/stat of `cat` on this machine (6.18): field 3 state R, field 22 start time 433760.
const TAIL =
  'R 7075 7075 3677 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 433760 3133440 385 18446744073709551615 ' +
  '94463590010880 94463590030761 140727926238352 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94463590046768 94463590048384 ' +
  '94463597039616 140727926242006 140727926242026 140727926242026 140727926243307 0\n';
const CAT = `7080 (cat) ${TAIL}`;

describe('parseStatStartTime', () => {
  test('field 22 of a real stat line', () => {
    assert.equal(parseStatStartTime(CAT), '433760');
  });

  test("a comm with spaces and ')' in it does not shift the fields", () => {
    assert.equal(parseStatStartTime(`7080 (my ) (x) y) ${TAIL}`), '433760');
    assert.equal(parseStatStartTime(`7080 () ${TAIL}`), '433760');
    assert.equal(parseStatStartTime(`7080 (a b c d e f) ${TAIL}`), '433760');
  });

  test('no ) at all, or a truncated line -> null', () => {
    assert.equal(parseStatStartTime('7080 cat R 1 2 3'), null);
    assert.equal(parseStatStartTime('7080 (cat) R 7075 7075'), null);
    assert.equal(parseStatStartTime(''), null);
  });
});

describe('parseStatState', () => {
  test('field 3', () => {
    assert.equal(parseStatState(CAT), 'R');
    assert.equal(parseStatState(`1 (qemu) Z ${TAIL.slice(2)}`), 'Z');
  });

  test("a comm with spaces and ')' in it: the state after the last ')'", () => {
    assert.equal(parseStatState(`4242 (evil) S ) ${TAIL}`), 'R');
    assert.equal(parseStatState(`4242 (a) (b) ${TAIL.replace(/^R/, 'D')}`), 'D');
  });

  test('no ) -> undefined', () => {
    assert.equal(parseStatState('4242 nothing'), undefined);
  });
});
