/**
 * Keeping secrets (bearer tokens, SMTP passwords, webhook URLs whose path is the token)
 * out of every message, error and log line the vendor adapters produce. Adapters describe
 * endpoints by origin only and pass any foreign error text through `scrubSecrets` before it
 * becomes part of a RotationError; raw errors are never attached as `cause`, because a
 * cause is serialised into Temporal history along with the failure.
 */

/** `https://hooks.example.com/services/T0/B0/SECRET?x=1` -> `https://hooks.example.com`. */
export function describeEndpoint(url: string | URL): string {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    return parsed.origin;
  } catch {
    return '(unparseable URL)';
  }
}

/** Replaces each non-empty secret (and the URL's path and query, for URL secrets) in `text`. */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    result = result.split(secret).join('[redacted]');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) result = result.split(encoded).join('[redacted]');
    try {
      const url = new URL(secret);
      const tail = `${url.pathname}${url.search}`;
      if (tail.length > 1) result = result.split(tail).join('/[redacted]');
    } catch {
      // not a URL: the plain replacement above is all there is to do
    }
  }
  return result;
}

/** An error's message (never its stack or properties), scrubbed. */
export function safeErrorMessage(error: unknown, secrets: ReadonlyArray<string | undefined>): string {
  const message = error instanceof Error ? error.message : String(error);
  return scrubSecrets(message, secrets);
}
