/** The bearer token that guards the agent's write API: from the config, or (better) from a file only root reads. */
import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from './config-error.js';

export const MIN_TOKEN_LENGTH = 16;

export interface TokenSource {
  token?: string | undefined;
  tokenFile?: string | undefined;
}

export interface LoadedToken {
  /** undefined: no token configured (every write is refused). */
  token?: string;
  /** Something the operator should fix, e.g. a token file others can read. */
  warnings: string[];
}

/** Resolves the token; a token file is read once (its first line, trimmed). */
export async function loadToken(src: TokenSource): Promise<LoadedToken> {
  if (src.tokenFile === undefined)
    return src.token === undefined ? { warnings: [] } : { token: src.token, warnings: [] };
  const path = src.tokenFile;
  let text: string;
  let mode: number;
  try {
    [text, mode] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mode)]);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new ConfigError(`cannot read http.tokenFile ${path} (${code})`, 'create it (e.g. openssl rand -hex 32)', {
      path,
    });
  }
  const token = (text.split('\n')[0] ?? '').trim();
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `http.tokenFile ${path}: the token has ${token.length} characters, at least ${MIN_TOKEN_LENGTH} are needed`,
      'write a long random token (e.g. openssl rand -hex 32)',
      { path },
    );
  }
  const warnings =
    (mode & 0o077) !== 0
      ? [`http.tokenFile ${path} can be read by others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`]
      : [];
  return { token, warnings };
}
