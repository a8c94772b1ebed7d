// Scenario 5 (issue 5 item 7): task completion to client. Placeholder until the routes land.
import type { Sim } from '../../test/helpers/esxsim.js';
import type { MirrorMode } from '../lib/gateway.js';
import { type Row, naRow } from '../lib/table.js';

export async function latencyScenario(_sim: Sim, mode: MirrorMode, _o: { vms: number; taskDelay: number; iterations: number }): Promise<Row[]> {
  return [naRow(`task completion -> client, mirror=${mode}`, 'routes not available')];
}
