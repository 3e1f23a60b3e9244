/**
 * Bearer-token check for the write API. Both sides are hashed (SHA-256) before crypto.timingSafeEqual, so the
 * comparison takes the same time whatever the presented token's length or content.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export type AuthResult = 'ok' | 'no-token-configured' | 'missing' | 'wrong';

/** Returns a checker for `Authorization` header values against the configured token (undefined: none configured). */
export function bearerChecker(token: string | undefined): (authorization: string | undefined) => AuthResult {
  const expected = token === undefined ? undefined : digest(token);
  return (authorization) => {
    if (expected === undefined) return 'no-token-configured';
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
    if (!m?.[1]) return 'missing';
    return timingSafeEqual(digest(m[1]), expected) ? 'ok' : 'wrong';
  };
}
