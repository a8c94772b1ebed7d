import { readFileSync } from 'node:fs';

/** package.json's version (read once; works from src/ with tsx and from dist/). */
export const VERSION: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')).version as string;
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
})();
