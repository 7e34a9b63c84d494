/**
 * The codec server's sign-in page: one form where the operator pastes CERTROT_CODEC_TOKEN, and
 * what to do next in the Temporal Web UI. No script and no external resource: the page is
 * served under a CSP that allows neither. Links and form targets are relative, so the page also
 * works behind a reverse proxy that serves the codec server under a path.
 */

export interface LoginPageState {
  /** The one Web UI origin whose calls may use the session. */
  uiOrigin: string;
  /** When the current session ends, if the browser has one. */
  signedInUntil?: Date;
  /** Shown above the form (a refused token, an expired session). */
  error?: string;
}

export const LOGIN_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  // Not no-referrer: with it Chrome sends "Origin: null" on the form post, and the server checks Origin.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function loginPage(state: LoginPageState): string {
  const ui = escape(state.uiOrigin);
  const body =
    state.signedInUntil !== undefined
      ? `<p role="status" id="signed-in">Signed in until <time datetime="${state.signedInUntil.toISOString()}">${state.signedInUntil.toISOString()}</time>.</p>
<p>In the Temporal Web UI at <a href="${ui}">${ui}</a>, open <b>Codec Server</b> settings and turn on
<b>Include cross-origin credentials</b> (already on if the UI was started with it). Payloads then show decoded.</p>
<form method="post" action="logout"><button type="submit">Sign out</button></form>`
      : `<form method="post" action="login">
<label for="token">Codec server token (<code>CERTROT_CODEC_TOKEN</code>)</label>
<input id="token" name="token" type="password" autocomplete="off" required autofocus>
<button type="submit">Sign in</button>
</form>
<p>The session lets the Temporal Web UI at <a href="${ui}">${ui}</a> decode and encode payloads from this
browser. It is a signed cookie, not the token, and it ends when it expires or the token changes.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>certrot codec server: sign in</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
label, input, button { display: block; margin: 0.5rem 0; }
input { width: 100%; padding: 0.4rem; font-family: monospace; }
.error { color: #a00; }
</style>
</head>
<body>
<h1>certrot codec server</h1>
${state.error !== undefined ? `<p class="error" role="alert">${escape(state.error)}</p>\n` : ''}${body}
</body>
</html>
`;
}
