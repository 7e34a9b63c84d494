/**
 * Text from outside (approver names, reasons, vendor errors) shown on a page: the Temporal
 * UI renders a workflow's current details as Markdown, so such text is put there with
 * control characters made visible and Markdown/HTML punctuation escaped — a reason cannot
 * add a link, an image or a fake heading. Pure, workflow-safe.
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function visibleControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function markdownText(text: string, max = 300): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return visibleControls(cut).replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}
