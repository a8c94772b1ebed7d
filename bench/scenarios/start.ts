// Scenario 4 (issue 4 item 9, issue 8): start + wait on a domain. Placeholder until the route lands.
import type { Sim } from '../../test/helpers/esxsim.js';
import type { MirrorMode } from '../lib/gateway.js';
import { type Row, naRow } from '../lib/table.js';

export async function startScenario(_sim: Sim, mode: MirrorMode, _o: { vms: number; iterations: number }): Promise<Row[]> {
  return [naRow(`start + wait, mirror=${mode}`, 'route not available')];
}
