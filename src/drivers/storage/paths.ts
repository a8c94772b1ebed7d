// Datastore paths from clients: parsed and validated by src/esx (no '..', no control characters),
// turned into ApiErrors here, and encoded segment by segment for ESX's /folder URLs. SOAP needs no
// escaping here: the encoder escapes every value.
import { ConversionError } from '../../domain/errors.js';
import { type DatastorePath, formatDatastorePath, validateDatastorePath } from '../../esx/index.js';
import { ApiError } from '../errors.js';

export interface VolumePath extends DatastorePath {
  /** '[datastore] dir/file' */
  full: string;
}

function validated(value: string): DatastorePath {
  try {
    return validateDatastorePath(value);
  } catch (e) {
    if (e instanceof ConversionError) throw new ApiError('invalid-arg', e.message);
    throw e;
  }
}

/**
 * A volume of `pool` named by the client: a path inside the datastore ('dir/file.vmdk') or a full
 * '[datastore] dir/file.vmdk' that must name the same datastore.
 */
export function volumePath(pool: string, volume: string): VolumePath {
  const p = validated(volume.startsWith('[') ? volume : formatDatastorePath(pool, volume));
  if (p.datastore !== pool) {
    throw new ApiError('invalid-arg', `volume path '${volume}' names datastore '${p.datastore}', not the pool '${pool}'`);
  }
  if (p.file === '') throw new ApiError('invalid-arg', `volume name '${volume}' names a directory, not a file`);
  return { ...p, full: formatDatastorePath(p.datastore, p.path) };
}

/** A directory inside a datastore ('' = the root), validated like a volume path. */
export function directoryPath(pool: string, dir: string): VolumePath {
  const p = validated(formatDatastorePath(pool, dir.replace(/\/+$/, '')));
  return { ...p, full: formatDatastorePath(p.datastore, p.path) };
}

/** `/folder/<segments>?dcPath=..&dsName=..`, every segment percent-encoded (spaces, '#', '?', non-ASCII). */
export function folderUrl(p: { datastore: string; path: string }, dcPath: string): string {
  const segments = p.path.split('/').map(encodeURIComponent).join('/');
  return `/folder/${segments}?dcPath=${encodeURIComponent(dcPath)}&dsName=${encodeURIComponent(p.datastore)}`;
}

/** Volume name (path inside the datastore) from a search result's folder path and file name. */
export function joinFolder(folderPath: string, file: string): string {
  // ESX answers '[ds] dir/' (or '[ds]' for the root); the simulator '[ds]/dir'.
  const close = folderPath.indexOf(']');
  const dir = (close >= 0 ? folderPath.slice(close + 1) : folderPath).trim().replace(/^\/+|\/+$/g, '');
  return dir ? `${dir}/${file}` : file;
}
