// Every route plugin of the API, registered in this order by src/app.ts.
import type { FastifyPluginAsync } from 'fastify';
import conversion from './conversion/routes.js';
import domains from './domains/routes.js';
import events from './events/routes.js';
import interfaces from './interfaces/routes.js';
import networks from './networks/routes.js';
import node from './node/routes.js';
import operations from './operations/routes.js';
import service from './service/routes.js';
import storage from './storage/routes.js';

export const routePlugins: FastifyPluginAsync[] = [service, domains, operations, events, storage, networks, interfaces, node, conversion] as FastifyPluginAsync[];
