// One domain in full: the summary fields (as in the list), the definition built from `config`,
// and runtime facts (state, id, boot time, guest hostname and addresses from VMware Tools).
import type { DomainDefinition } from '../../domain/model.js';
import type { ObjectProps } from '../../vi/property-collector.js';
import { type DomainSummary, summaryOf } from './index.js';
import { definitionFromConfig, type Vi } from './from-config.js';

export const DETAIL_PROPS = [
  'name',
  'config',
  'runtime.powerState',
  'runtime.bootTime',
  'guest.toolsRunningStatus',
  'guest.hostName',
  'guest.ipAddress',
  'guest.net',
];

export interface DomainRuntime {
  state: DomainSummary['state'];
  id: number | null;
  /** Nanoseconds of CPU time; ESX does not report it outside the performance manager, so null. */
  cpuTime: number | null;
  bootTime: string | null;
  guest: {
    /** VMware Tools running status (guestToolsRunning, guestToolsNotRunning, ...). */
    tools: string | null;
    hostname: string | null;
    ipAddresses: string[];
  };
}

export interface DomainDetail extends DomainSummary {
  definition: DomainDefinition;
  runtime: DomainRuntime;
}

export function detailOf(o: ObjectProps, autostart: Set<string>): DomainDetail {
  const p = o.props;
  const cfg = (p.config ?? {}) as Vi;
  // summaryOf reads flattened paths; feed it the ones inside `config`.
  const summary = summaryOf(
    {
      ref: o.ref,
      props: {
        ...p,
        'config.uuid': cfg.uuid,
        'config.hardware.memoryMB': cfg.hardware?.memoryMB,
        'config.hardware.numCPU': cfg.hardware?.numCPU,
        'config.template': cfg.template,
      },
    },
    autostart,
  );
  const definition = definitionFromConfig(cfg, { name: String(p.name ?? cfg.name ?? ''), moref: o.ref.value, id: summary.id });
  const ips = new Set<string>();
  for (const n of (p['guest.net'] ?? []) as Vi[]) for (const ip of (n.ipAddress ?? []) as string[]) ips.add(String(ip));
  if (typeof p['guest.ipAddress'] === 'string' && p['guest.ipAddress']) ips.add(p['guest.ipAddress']);
  const boot = p['runtime.bootTime'];
  return {
    ...summary,
    definition,
    runtime: {
      state: summary.state,
      id: summary.id,
      cpuTime: null,
      bootTime: summary.id !== null && boot ? String(boot instanceof Date ? boot.toISOString() : boot) : null,
      guest: {
        tools: typeof p['guest.toolsRunningStatus'] === 'string' ? p['guest.toolsRunningStatus'] : null,
        hostname: typeof p['guest.hostName'] === 'string' && p['guest.hostName'] ? p['guest.hostName'] : null,
        ipAddresses: [...ips],
      },
    },
  };
}
