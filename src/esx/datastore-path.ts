// Datastore paths: '[datastore] directory/file', the way vSphere names files. Parsing follows
// libvirt's esxUtil_ParseDatastorePath (spaces after ']' skipped, an empty path allowed);
// validateDatastorePath adds what a storage API must refuse before a path reaches ESX.
import { ConversionError } from '../domain/errors.js';

export interface DatastorePath {
  /** Datastore name, between the brackets. */
  datastore: string;
  /** Everything after '] ': directory and file name, possibly empty or ending in '/'. */
  path: string;
  /** The part of path before the last '/' ('' when there is none). */
  directory: string;
  /** The part of path after the last '/' ('' for a directory path ending in '/'). */
  file: string;
  /**
   * libvirt's directoryName: path without its last '/...' part, or path itself when it has no
   * '/' (so '[ds] file' gives 'file'). Kept for callers that mirror libvirt exactly.
   */
  directoryName: string;
}

/** Parses '[datastore] directory/file'; throws ConversionError('invalid-arg') otherwise. */
export function parseDatastorePath(value: string): DatastorePath {
  const close = value.indexOf(']');
  if (!value.startsWith('[') || close < 0 || close === 1) {
    throw new ConversionError('invalid-arg', `Datastore path '${value}' doesn't have expected format '[<datastore>] <path>'`);
  }
  const datastore = value.slice(1, close);
  const path = value.slice(close + 1).replace(/^ +/, '');
  const slash = path.lastIndexOf('/');
  return {
    datastore,
    path,
    directory: slash < 0 ? '' : path.slice(0, slash),
    file: slash < 0 ? path : path.slice(slash + 1),
    directoryName: slash < 0 ? path : path.slice(0, slash),
  };
}

/** '[datastore] path' (path may be empty: the datastore root). */
export const formatDatastorePath = (datastore: string, path = ''): string =>
  path === '' ? `[${datastore}]` : `[${datastore}] ${path}`;

// C0 and C1 controls and DEL: never part of a real file name, and ESX logs and VMX files
// cannot carry them safely.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Parses and checks a datastore path for the storage API: no control characters, no '..' or '.'
 * segments, no empty segments ('a//b'), no leading '/', no backslash, no ']' or '[' in the
 * datastore name. Returns the parsed path.
 */
export function validateDatastorePath(value: string): DatastorePath {
  if (CONTROL.test(value)) {
    throw new ConversionError('invalid-arg', `Datastore path '${JSON.stringify(value).slice(1, -1)}' contains control characters`);
  }
  const parsed = parseDatastorePath(value);
  if (parsed.datastore.includes('[') || parsed.datastore.trim() !== parsed.datastore) {
    throw new ConversionError('invalid-arg', `Datastore name '${parsed.datastore}' is not valid`);
  }
  if (parsed.path.startsWith('/')) {
    throw new ConversionError('invalid-arg', `Datastore path '${value}' must be relative to the datastore (no leading '/')`);
  }
  if (parsed.path.includes('\\')) {
    throw new ConversionError('invalid-arg', `Datastore path '${value}' must use '/' as separator`);
  }
  const segments = parsed.path === '' ? [] : parsed.path.replace(/\/$/, '').split('/');
  for (const segment of segments) {
    if (segment === '..' || segment === '.') {
      throw new ConversionError('invalid-arg', `Datastore path '${value}' must not contain '${segment}' segments`);
    }
    if (segment === '') {
      throw new ConversionError('invalid-arg', `Datastore path '${value}' contains an empty path segment`);
    }
  }
  return parsed;
}
