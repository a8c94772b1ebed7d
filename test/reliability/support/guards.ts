// Records unhandled rejections and uncaught exceptions during a scenario: the gateway must turn
// every upstream failure into a response, never into a process-level error.
export interface Guards {
  events: string[];
  dispose(): void;
}

export function installGuards(): Guards {
  const events: string[] = [];
  const onRejection = (e: unknown) => events.push(`unhandledRejection: ${(e as Error)?.stack ?? String(e)}`);
  const onException = (e: unknown) => events.push(`uncaughtException: ${(e as Error)?.stack ?? String(e)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    events,
    dispose() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
