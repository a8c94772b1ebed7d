// Storage routes: pools, volumes and streamed file content (one plugin, three files).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { OperationSchema, QuestionSchema } from '../operations/schemas.js';
import content from './content.js';
import pools from './pools.js';
import { StoragePoolSchema, VolumeCreateSchema, VolumeSchema } from './schemas.js';
import volumes from './volumes.js';

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addSchema(StoragePoolSchema);
  app.addSchema(VolumeSchema);
  app.addSchema(VolumeCreateSchema);
  // The operations plugin registers these in its own (encapsulated) context.
  if (!app.getSchema('Question')) app.addSchema(QuestionSchema);
  if (!app.getSchema('Operation')) app.addSchema(OperationSchema);
  await app.register(pools);
  await app.register(volumes);
  await app.register(content);
};

export default routes;
