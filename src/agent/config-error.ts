import { UsageError } from '../errors.js';

/** The agent's config (file, reload or policy patch) is invalid: the message names the path and the bad value. */
export class ConfigError extends UsageError {}
