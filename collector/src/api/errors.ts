/** An error the API answers with its own status and `{"error": message}`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, message);

/** Longest piece of request text an error message echoes back. */
export const ECHO_MAX_CHARS = 200;
/** Longest error message answered. */
export const ERROR_MAX_CHARS = 2_000;

/** `text` cut to `max` characters and `…` when longer. */
export function truncateEcho(text: string, max = ECHO_MAX_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * An error message as answered: every quoted piece of request text (`"..."`, as messages quote
 * what they echo) cut to {@link ECHO_MAX_CHARS} characters, and the whole to {@link ERROR_MAX_CHARS}.
 */
export function shortenEchoes(message: string): string {
  const shortened = message.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) =>
    quoted.length > ECHO_MAX_CHARS + 2 ? `${quoted.slice(0, ECHO_MAX_CHARS + 1)}…"` : quoted,
  );
  return truncateEcho(shortened, ERROR_MAX_CHARS);
}
