/** Why a PacketFlux API URL cannot work, or undefined when it can (empty is "not set yet"). */
export function apiUrlProblem(url: string | undefined): string | undefined {
  const trimmed = (url ?? '').trim();
  if (trimmed === '') {
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return 'Enter a full URL such as http://localhost:3001';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return 'The URL must start with http:// or https://';
  }
  return undefined;
}
