/** Escaping of text that comes from results (strategy names, notes, settings) before it enters markup. Pure. */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in HTML text and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c] ?? c);
}

/**
 * Safe as inline Markdown (a paragraph, a list item or a table cell): CommonMark backslash-escapes for the characters
 * that start emphasis, links, code, HTML or table cells; line breaks become spaces so a cell stays one line.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/[\\`*_[\]<>|#~&]/g, (c) => `\\${c}`);
}
