// File names between VMX and domain XML. VMX files name files as ESX sees them
// ('/vmfs/volumes/<datastore>/dir/file', a bare name next to the .vmx, or a host path); domain XML
// uses datastore paths ('[datastore] dir/file'). The converters take this mapping as callbacks so
// the live driver (which knows the datastores) and tests plug in their own; this module gives the
// default mapping, which is libvirt's test harness mapping plus optional datastore lookups.
import { ConversionError } from '../domain/errors.js';
import { parseDatastorePath } from '../esx/datastore-path.js';

export interface FileNameContext {
  /** The datastore folder of the .vmx, '[datastore] directory'; bare VMX file names live there. */
  vmxDir?: string | undefined;
  /** Inventory path of the datacenter (vCenter), e.g. 'folder1/datacenter1'. */
  datacenterPath?: string | undefined;
}

/** VMX file name -> domain XML source; null when the file does not exist. */
export type ParseFileName = (vmxFileName: string, context: FileNameContext) => string | null;
/** Domain XML source -> VMX file name; throws ConversionError when it cannot be expressed. */
export type FormatFileName = (source: string, context: FileNameContext) => string;

export interface DatastoreInfo {
  /** Datastore name as in '[name] path'. */
  name: string;
  /** Its mount path or URL on ESX, e.g. '/vmfs/volumes/5b1e...-...' (the last element is matched). */
  url?: string;
}

export interface FileNameOptions {
  /** Known datastores, so '/vmfs/volumes/<uuid>/...' maps to the datastore's name. */
  datastores?: readonly DatastoreInfo[];
  /** Says a datastore file does not exist (CD-ROMs then get an empty source; disks fail). */
  isMissing?: (datastore: string, path: string) => boolean;
  /** Relative VMX names with a '/' are an error (libvirt's harness) or resolved against vmxDir. */
  relativeWithSlash?: 'error' | 'resolve';
  /** Write files inside vmxDir as bare names, as ESX itself does. Default false. */
  relativeToVmxDir?: boolean;
}

/** libvirt's test harness rule: a datastore named 'missing', or a path starting with 'missing'. */
export const harnessIsMissing = (datastore: string, path: string): boolean =>
  datastore === 'missing' || path.startsWith('missing');

const VOLUMES = '/vmfs/volumes/';

function joinVmxDir(vmxDir: string, name: string): string {
  const dir = parseDatastorePath(vmxDir);
  const path = dir.path.replace(/\/+$/, '');
  return path === '' ? `[${dir.datastore}] ${name}` : `[${dir.datastore}] ${path}/${name}`;
}

export function createFileNameMapper(options: FileNameOptions = {}): { parseFileName: ParseFileName; formatFileName: FormatFileName } {
  const datastoreName = (element: string): string => {
    for (const ds of options.datastores ?? []) {
      if (ds.name === element) return ds.name;
      const last = ds.url?.replace(/\/+$/, '').split('/').pop();
      if (last !== undefined && last === element) return ds.name;
    }
    return element;
  };

  const parseFileName: ParseFileName = (fileName, context) => {
    if (fileName.startsWith(VOLUMES)) {
      const rest = fileName.slice(VOLUMES.length);
      const slash = rest.indexOf('/');
      if (slash <= 0 || slash === rest.length - 1) {
        throw new ConversionError('vmx-invalid', `File name '${fileName}' doesn't have expected format '/vmfs/volumes/<datastore>/<path>'`);
      }
      const datastore = datastoreName(rest.slice(0, slash));
      const path = rest.slice(slash + 1);
      if (options.isMissing?.(datastore, path)) return null;
      return `[${datastore}] ${path}`;
    }
    if (fileName.startsWith('/')) return fileName;
    if (fileName.includes('/') && options.relativeWithSlash !== 'resolve') {
      throw new ConversionError('vmx-invalid', `File name '${fileName}' is a relative path with a directory, which is not supported`);
    }
    if (context.vmxDir === undefined) {
      throw new ConversionError('vmx-invalid', `File name '${fileName}' is relative, but the folder of the VMX file (vmxDir) is not known`);
    }
    const resolved = joinVmxDir(context.vmxDir, fileName);
    const parsed = parseDatastorePath(resolved);
    if (options.isMissing?.(parsed.datastore, parsed.path)) return null;
    return resolved;
  };

  const formatFileName: FormatFileName = (source, context) => {
    if (source.startsWith('[')) {
      let parsed;
      try {
        parsed = parseDatastorePath(source);
      } catch (e) {
        throw new ConversionError('config-invalid', `File name '${source}' is not a valid datastore path`, { cause: e });
      }
      if (options.relativeToVmxDir && context.vmxDir !== undefined) {
        const dir = parseDatastorePath(context.vmxDir);
        const prefix = dir.path.replace(/\/+$/, '');
        const inside = prefix === '' ? parsed.path : parsed.path.startsWith(prefix + '/') ? parsed.path.slice(prefix.length + 1) : undefined;
        if (dir.datastore === parsed.datastore && inside !== undefined && inside !== '' && !inside.includes('/')) return inside;
      }
      return `${VOLUMES}${parsed.datastore}/${parsed.path}`;
    }
    if (source.startsWith('/')) return source;
    throw new ConversionError('config-invalid', `File name '${source}' is neither a datastore path '[datastore] path' nor an absolute path`);
  };

  return { parseFileName, formatFileName };
}

/** The mapping of libvirt's vmx2xml/xml2vmx test harness (also used by the CLI). */
export const harnessFileNames = createFileNameMapper({ isMissing: harnessIsMissing, relativeWithSlash: 'error' });
