import { appendFileSync } from 'node:fs';

/** Appends one line to `<project>/trigger-events.jsonl` (outside amplify/: no reload). */
export function record(fn: string, event: unknown, tag: string | undefined): void {
  const line = JSON.stringify({ fn, tag, event, at: new Date().toISOString() });
  appendFileSync(new URL('../../trigger-events.jsonl', import.meta.url), `${line}\n`);
}
