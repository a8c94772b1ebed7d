// Conversion failures (ConversionError from the pure core) as ApiErrors, next to fromVi/mapVi:
// drivers and routes that read libvirt XML, VMX or a JSON definition map them here, so the same bad
// input gets the same 400 code naming the same line, VMX entry or XML element wherever it was sent.
import { type ConversionError, isConversionError } from '../domain/errors.js';
import { ApiError } from './errors.js';

/** A conversion failure as a 400 naming the line, VMX entry or XML element. */
export function fromConversion(e: ConversionError): ApiError {
  const code = e.code === 'xml-malformed' ? 'xml-error' : e.code === 'xml-unsupported' || e.code === 'config-unsupported' ? 'config-unsupported' : 'invalid-arg';
  const extra: Record<string, unknown> = {};
  if (e.path !== undefined) extra[e.code.startsWith('vmx') || e.code === 'file-missing' ? 'entry' : 'element'] = e.path;
  if (e.line !== undefined) extra.line = e.line;
  if (e.column !== undefined) extra.column = e.column;
  return new ApiError(code, e.message, extra);
}

/** Runs a conversion: its ConversionErrors leave as ApiErrors, anything else as it was. */
export function mapConversion<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw isConversionError(e) ? fromConversion(e) : e;
  }
}
