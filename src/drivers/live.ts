// The live services of one connection: the update loop (one dedicated session), the event bus, the
// operations driver and the inventory mirror, created together because they share the loop.
import type { EsxConnection } from './connection.js';
import { EventBus } from './events.js';
import { Mirror } from './mirror.js';
import { OperationsDriver } from './operations/index.js';
import { UpdateLoop } from '../vi/update-loop.js';

type Log = { warn(o: object, msg: string): void; debug(o: object, msg: string): void; info(o: object, msg: string): void };

export interface LiveOptions {
  /** Keep the inventory mirror (config.mirror, ESXGATE_MIRROR). */
  mirror?: boolean;
  log?: Log;
  /** WaitForUpdatesEx maxWaitSeconds. */
  maxWaitSeconds?: number;
}

export class Live {
  readonly loop: UpdateLoop;
  readonly events = new EventBus(1000);
  readonly operations: OperationsDriver;
  /** Inventory mirror and lifecycle events (reads from memory only when config.mirror). */
  readonly mirror: Mirror;

  constructor(
    readonly conn: EsxConnection,
    readonly opts: LiveOptions = {},
  ) {
    this.loop = new UpdateLoop(conn.vi, {
      credentials: { username: conn.config.username, password: conn.config.password },
      maxWaitSeconds: opts.maxWaitSeconds ?? (Number(process.env.ESXGATE_UPDATE_WAIT_SECONDS) || undefined),
      log: opts.log,
    });
    this.mirror = new Mirror(conn, this.loop, this.events, opts.mirror !== false);
    this.operations = new OperationsDriver(conn, this.loop, this.events, {
      log: opts.log,
      onFinished: async (vm, op) => {
        // A task whose result is a VM (CreateVM_Task, RegisterVM_Task, CloneVM_Task) made a new domain.
        const made = op.result as { type?: string; value?: string } | undefined;
        const created = made?.type === 'VirtualMachine' && made.value && made.value !== vm?.value ? { type: 'VirtualMachine', value: made.value } : undefined;
        await Promise.all([this.mirror.refreshVm(vm), this.mirror.refreshVm(created)]);
      },
      onStart: () => this.mirror.start(),
    });
  }

  /** Starts the mirror (and with it the update loop); idempotent. */
  start(): void {
    this.mirror.start();
  }

  /** Ends SSE streams, stops watching and logs the loop's session out (before the connection closes). */
  async close(reason = 'the gateway is shutting down'): Promise<void> {
    this.events.close(reason);
    this.operations.close();
    await this.mirror.close();
    await this.loop.close();
  }
}
