// The ConversionError a conversion throws, for tests that check its code, path, line and message.
import { expect } from 'vitest';
import { ConversionError } from '../../src/domain/errors.js';

export function conversionError(fn: () => unknown): ConversionError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConversionError);
    return e as ConversionError;
  }
  throw new Error('expected a ConversionError');
}
