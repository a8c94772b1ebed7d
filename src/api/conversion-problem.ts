// Conversion failures (ConversionError from the pure core) as 400 problems. Every route that
// reads libvirt XML, VMX or a JSON definition maps them here, so the same bad input gets the same
// code and names the same line, VMX entry or XML element whichever route it was sent to.
import { type ConversionError, isConversionError } from '../domain/errors.js';
import { ApiError } from '../drivers/errors.js';

/** A conversion failure as a 400 problem naming the line, VMX entry or XML element. */
export function conversionProblem(e: ConversionError): ApiError {
  const code = e.code === 'xml-malformed' ? 'xml-error' : e.code === 'xml-unsupported' || e.code === 'config-unsupported' ? 'config-unsupported' : 'invalid-arg';
  const extra: Record<string, unknown> = {};
  if (e.path !== undefined) extra[e.code.startsWith('vmx') || e.code === 'file-missing' ? 'entry' : 'element'] = e.path;
  if (e.line !== undefined) extra.line = e.line;
  if (e.column !== undefined) extra.column = e.column;
  return new ApiError(code, e.message, extra);
}

/** Runs a conversion; its ConversionErrors leave as problems, anything else as it was. */
export function convert<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw isConversionError(e) ? conversionProblem(e) : e;
  }
}
