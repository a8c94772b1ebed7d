// Datastore item names (libvirt's esxUtil_EscapeDatastoreItem): a domain name becomes a folder and
// file name on a VMFS/NFS datastore. Windows-hosted datastores forbid "*<>:|?, the inventory
// forbids % / \, and some datastores reject non-ASCII; so, in order:
//   1. the Windows path characters "*<>:|? become '_';
//   2. '%', '/' and '\' become %XX (as in vSphere names);
//   3. every run of characters outside [a-zA-Z0-9'(),. _-] becomes '+' + base64 of its UTF-8
//      bytes (no padding, ',' instead of '/') + '-', the '-' left out at the end of the string.
// The result is not reversible (step 1 loses information).
import { escapeHexPercent } from './escape.js';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const utf8 = new TextEncoder();

const isPlain = (ch: string) => /^[a-zA-Z0-9'(),. _-]$/.test(ch);

function base64NoPad(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    out += BASE64[b0 >> 2]!;
    out += BASE64[((b0 & 0x03) << 4) | ((b1 ?? 0) >> 4)]!;
    if (b1 === undefined) break;
    out += BASE64[((b1 & 0x0f) << 2) | ((b2 ?? 0) >> 6)]!;
    if (b2 === undefined) break;
    out += BASE64[b2 & 0x3f]!;
  }
  return out;
}

/** The base64 step alone (libvirt's esxUtil_EscapeBase64). */
export function escapeBase64Runs(value: string): string {
  const chars = [...value];
  let out = '';
  for (let i = 0; i < chars.length; ) {
    if (isPlain(chars[i]!)) {
      out += chars[i++];
      continue;
    }
    let run = '';
    while (i < chars.length && !isPlain(chars[i]!)) run += chars[i++];
    out += '+' + base64NoPad(utf8.encode(run));
    if (i < chars.length) out += '-';
  }
  return out;
}

/** Replaces the characters Windows forbids in path names (libvirt's esxUtil_ReplaceSpecialWindowsPathChars). */
export const replaceSpecialWindowsPathChars = (value: string) => value.replace(/["*<>:|?]/g, '_');

/** A domain name as a datastore folder or file name. */
export const escapeDatastoreItem = (value: string) =>
  escapeBase64Runs(escapeHexPercent(replaceSpecialWindowsPathChars(value)));
