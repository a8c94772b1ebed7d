// PropertyCollector helpers: RetrievePropertiesEx + ContinueRetrievePropertiesEx (results in pages;
// the token is bound to the session, so one lease covers the whole retrieval), over a ContainerView
// (cached per session: views are session objects) or explicit objects.
import { ViFault } from './errors.js';
import type { MoRef } from './soap/encode.js';
import type { Session, SessionPool } from './session-pool.js';

export interface ObjectContent {
  obj: MoRef;
  propSet?: Array<{ name: string; val: unknown }>;
  missingSet?: Array<{ path: string; fault: { fault?: { _type?: string } } }>;
}

export interface RetrieveResult {
  token?: string;
  objects: ObjectContent[];
}

/** An object with its properties flattened: { ref, props: { 'runtime.powerState': 'poweredOn', ... } }. */
export interface ObjectProps {
  ref: MoRef;
  props: Record<string, unknown>;
  /** Property paths the server could not read, with the fault name (e.g. NoPermission). */
  missing?: Record<string, string>;
}

export interface PropertySpec {
  type: string;
  pathSet?: string[];
  all?: boolean;
}

export interface RetrieveOptions {
  /** Page size (RetrieveOptions.maxObjects). */
  maxObjects?: number;
  signal?: AbortSignal;
}

export function flatten(o: ObjectContent): ObjectProps {
  const props: Record<string, unknown> = {};
  for (const p of o.propSet ?? []) props[p.name] = p.val;
  const out: ObjectProps = { ref: o.obj, props };
  if (o.missingSet?.length) {
    out.missing = Object.fromEntries(o.missingSet.map((m) => [m.path, m.fault?.fault?._type ?? 'unknown']));
  }
  return out;
}

/**
 * True when a page reports NotAuthenticated for properties: without a valid session (terminated,
 * expired) a RetrievePropertiesEx can answer every object with only a missingSet of
 * NotAuthenticated instead of a fault. Taken as a property-less object that would be a half
 * object (a VM with no name and no power state), so it is treated as the session loss it is.
 */
function notAuthenticated(r: RetrieveResult | undefined): boolean {
  return !!r?.objects?.some((c) => c.missingSet?.some((m) => m.fault?.fault?._type === 'NotAuthenticated'));
}

/** A paged retrieval whose session was replaced between pages. */
class RestartRetrieval extends Error {
  constructor(readonly fault: ViFault) {
    super(fault.message);
  }
}

export class PropertyCollector {
  constructor(
    readonly pool: SessionPool,
    readonly collector: MoRef,
    readonly viewManager: MoRef | undefined,
  ) {}

  /** All objects matching the filter specs, following continuation tokens on one session. */
  async retrieve(specSet: unknown[], o: RetrieveOptions = {}, session?: Session): Promise<ObjectProps[]> {
    const run = async (s: Session): Promise<ObjectProps[]> => {
      const out: ObjectProps[] = [];
      let r = await this.pool.invoke<RetrieveResult | undefined>(
        s,
        'RetrievePropertiesEx',
        { _this: this.collector, specSet, options: o.maxObjects ? { maxObjects: o.maxObjects } : {} },
        { signal: o.signal },
        notAuthenticated,
      );
      // The continuation token belongs to the session that made it.
      const cookie = s.cookie;
      for (;;) {
        for (const c of r?.objects ?? []) out.push(flatten(c));
        const token = r?.token;
        if (!token) return out;
        if (o.signal?.aborted) {
          await this.pool.invoke(s, 'CancelRetrievePropertiesEx', { _this: this.collector, token }).catch(() => {});
          o.signal.throwIfAborted();
        }
        try {
          r = await this.pool.invoke<RetrieveResult | undefined>(s, 'ContinueRetrievePropertiesEx', { _this: this.collector, token }, { signal: o.signal }, notAuthenticated);
        } catch (e) {
          // The session was lost (and logged in again) between two pages: the token died with it,
          // so the retrieval starts over on the new session.
          if (s.cookie !== cookie && e instanceof ViFault) throw new RestartRetrieval(e);
          throw e;
        }
      }
    };
    const attempt = async (s: Session): Promise<ObjectProps[]> => {
      for (let i = 0; ; i++) {
        try {
          return await run(s);
        } catch (e) {
          if (!(e instanceof RestartRetrieval)) throw e;
          if (i >= 2) throw e.fault;
        }
      }
    };
    return session ? attempt(session) : this.pool.withSession(attempt, o.signal);
  }

  /** Properties of the given objects (one RetrievePropertiesEx). */
  async objects(refs: MoRef[], type: string, pathSet: string[], o: RetrieveOptions = {}): Promise<ObjectProps[]> {
    if (refs.length === 0) return [];
    return this.retrieve(
      [{ propSet: [{ type, pathSet, all: false }], objectSet: refs.map((obj) => ({ obj, skip: false })) }],
      o,
    );
  }

  /** Properties of one object, or undefined when it does not exist any more. */
  async object(ref: MoRef, pathSet: string[], o: RetrieveOptions = {}): Promise<ObjectProps | undefined> {
    return (await this.objects([ref], ref.type, pathSet, o))[0];
  }

  /**
   * Properties of every object of the given types below `container` (recursive), through a
   * ContainerView kept for the life of the session.
   */
  async container(container: MoRef, specs: PropertySpec[], o: RetrieveOptions = {}): Promise<ObjectProps[]> {
    if (!this.viewManager) throw new Error('this endpoint has no ViewManager');
    const types = [...new Set(specs.map((s) => s.type))].sort();
    return this.pool.withSession(async (s) => {
      const key = `view:${container.type}:${container.value}:${types.join(',')}`;
      let used: MoRef | undefined;
      const run = async (): Promise<ObjectProps[]> => {
        let view = s.cache.get(key) as MoRef | undefined;
        if (!view) {
          view = await this.pool.invoke<MoRef>(s, 'CreateContainerView', { _this: this.viewManager, container, type: types, recursive: true }, { signal: o.signal });
          s.cache.set(key, view);
        }
        used = view;
        const specSet = [
          {
            propSet: specs.map((p) => ({ type: p.type, all: p.all ?? false, pathSet: p.pathSet ?? [] })),
            objectSet: [
              {
                obj: view,
                skip: true,
                selectSet: [{ _type: 'TraversalSpec', name: 'view', type: 'ContainerView', path: 'view', skip: false }],
              },
            ],
          },
        ];
        return this.retrieve(specSet, o, s);
      };
      for (let attempt = 0; ; attempt++) {
        try {
          return await run();
        } catch (e) {
          // The cached view went away with its session (re-login, ESX restart), or was created on a
          // session that a concurrent call replaced meanwhile: make a new one (a bounded number of
          // times). Only our own view is dropped: a concurrent call may have cached a fresh one.
          if (!(e instanceof ViFault) || attempt >= 2) throw e;
          if (used && s.cache.get(key) === used) s.cache.delete(key);
          used = undefined;
        }
      }
    }, o.signal);
  }
}
