// Options of the VMX <-> domain conversions (libvirt's virVMXContext).
import type { DiskDef, EsxScsiModel } from '../domain/model.js';
import type { FileNameContext, FormatFileName, ParseFileName } from './file-names.js';

export interface VmxToDomainOptions extends FileNameContext {
  /** VMX file name -> domain XML source (default: createFileNameMapper() with vmxDir). */
  parseFileName?: ParseFileName;
  /** Managed object id of the VM, reported as <vmware:moref>. */
  moref?: string | undefined;
}

export interface DomainToVmxOptions extends FileNameContext {
  /** virtualHW.version to write (4 or higher). */
  virtualHW: number;
  /** Domain XML source -> VMX file name (default: createFileNameMapper()). */
  formatFileName?: FormatFileName;
  /**
   * Picks the model of a SCSI controller whose model is 'auto', from one of its disks (the live
   * driver reads the adapter type of the VMDK). Returning undefined leaves the model to ESX.
   */
  autodetectScsiControllerModel?: (disk: DiskDef) => EsxScsiModel | undefined;
}
