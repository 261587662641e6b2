/** A user-facing configuration problem: reported in one line, exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
