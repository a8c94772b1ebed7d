// XML text helpers shared by the envelope encoder.
import { ViEncodeError } from '../errors.js';

// XML 1.0 cannot carry most C0 controls, lone surrogates or U+FFFE/U+FFFF, even escaped.
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SPECIAL = /[&<>"'\r]/g;
const REPL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** Escapes text for element content and attribute values; \r is kept as a character reference. */
export function escapeXml(s: string): string {
  if (INVALID.test(s)) throw new ViEncodeError('value contains a character that XML cannot carry (a control character or a lone surrogate)');
  return s.replace(SPECIAL, (c) => REPL[c]!);
}

export const isValidXmlText = (s: string): boolean => !INVALID.test(s);
