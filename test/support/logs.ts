import { setLogLevel } from '../../src/core/logger';

/** One parsed log line: pino writes one JSON object per line. */
export interface LogEntry {
  level: string;
  time: string;
  msg: string;
  requestId?: string;
  [field: string]: unknown;
}

/** The log lines written while fn runs at `level`, parsed; logging goes back to silent, as tests run, afterwards. */
export async function captureLogs(fn: () => Promise<void>, level: 'info' | 'error' = 'info'): Promise<LogEntry[]> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  setLogLevel(level);
  try {
    await fn();
  } finally {
    setLogLevel('silent');
    write.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as LogEntry);
}
