// pino options: JSON logs, secrets redacted wherever they could appear.
import type { LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'cookie',
  '*.cookie',
  'token',
  '*.token',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'config.connection.password',
  'connection.password',
  // The bearer tokens of the config (ESXGATE_TOKENS), should the config ever be logged.
  'tokens[*].token',
  'config.tokens[*].token',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'esxgate' },
  };
}
