// Component schemas that more than one route plugin refers to ($ref). Route plugins are
// encapsulated: a schema a plugin adds is invisible to its siblings, and a child that adds an $id
// its parent already has fails. So shared schemas are added once, at the root, before the plugins.
import type { FastifyInstance } from 'fastify';
import { DomainDefinition } from '../domain/schema.js';
import { OperationSchema, QuestionSchema } from './operations/schemas.js';
import { Problem } from './schemas.js';

/** Problem (every error response) and DomainDefinition (domains, domain-xml conversion). */
export function registerSharedSchemas(app: FastifyInstance): void {
  app.addSchema(Problem);
  app.addSchema(DomainDefinition);
}

/**
 * Operation and its Question, for a plugin whose routes answer operations. Not root schemas yet:
 * the operations plugin adds them unconditionally, which would fail under a root copy. Once it
 * tolerates them (or stops adding them), they move into registerSharedSchemas.
 */
export function addOperationSchemas(app: FastifyInstance): void {
  if (!app.getSchema('Question')) app.addSchema(QuestionSchema);
  if (!app.getSchema('Operation')) app.addSchema(OperationSchema);
}
