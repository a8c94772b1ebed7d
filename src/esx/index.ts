// ESX escaping and small utilities (pure).
export * from './escape.js';
export * from './datastore-item.js';
export * from './datastore-path.js';
export * from './datetime.js';
export * from './encoding.js';
