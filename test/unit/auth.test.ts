// Token matching and Authorization header parsing (src/plugins/auth.ts). The HTTP behaviour
// (401/403/open routes) is covered against the simulator in test/integration/deploy/auth.test.ts.
import { describe, expect, it } from 'vitest';
import { bearerToken, tokenMatcher } from '../../src/plugins/auth.js';

const RW = 'rw-0123456789abcdef';
const RO = 'ro-0123456789abcdef';

describe('tokenMatcher', () => {
  const m = tokenMatcher([
    { token: RW, readOnly: false },
    { token: RO, readOnly: true },
  ]);

  it('matches configured tokens and tells read-only ones apart', () => {
    expect(m.match(RW)).toEqual({ readOnly: false });
    expect(m.match(RO)).toEqual({ readOnly: true });
  });

  it('rejects other tokens, including prefixes, extensions and other lengths (compared as digests)', () => {
    for (const t of ['', 'x', RW.slice(0, -1), `${RW}x`, RW.toUpperCase(), 'a'.repeat(10_000)]) expect(m.match(t)).toBeNull();
  });

  it('grants read-write when a token is listed both ways', () => {
    const both = tokenMatcher([
      { token: RW, readOnly: true },
      { token: RW, readOnly: false },
    ]);
    expect(both.match(RW)).toEqual({ readOnly: false });
  });

  it('matches nothing without tokens', () => {
    expect(tokenMatcher([]).match(RW)).toBeNull();
  });
});

describe('bearerToken', () => {
  it('reads RFC 6750 bearer credentials, scheme case-insensitive', () => {
    expect(bearerToken(`Bearer ${RW}`)).toBe(RW);
    expect(bearerToken(`bearer ${RW}`)).toBe(RW);
    expect(bearerToken('Bearer abc+/=')).toBe('abc+/=');
  });

  it('rejects other schemes and malformed values', () => {
    for (const h of [undefined, '', 'Bearer', 'Bearer ', `Basic ${RW}`, `Bearer ${RW} extra`, 'Bearer a"b', `${RW}`]) expect(bearerToken(h)).toBeNull();
  });
});
