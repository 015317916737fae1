// What the trigger handlers leave behind, in Lambda's writable /tmp: every event they got
// (one JSON line per event) and the groups post-confirmation gave users. The e2e test reads
// the same files; the folder is per user pool.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function dir(userPoolId: string): string {
  const d = join('/tmp', 'stratus-e2e-auth-triggers', userPoolId);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Appends `event` to `<trigger>.jsonl`. */
export function record(trigger: string, event: { userPoolId: string }): void {
  appendFileSync(join(dir(event.userPoolId), `${trigger}.jsonl`), `${JSON.stringify(event)}\n`);
}

function groupsFile(userPoolId: string, userName: string): string {
  return join(dir(userPoolId), `groups-${userName}.json`);
}

/** The groups given to `userName` so far. */
export function groupsOf(userPoolId: string, userName: string): string[] {
  const file = groupsFile(userPoolId, userName);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
}

export function addToGroup(userPoolId: string, userName: string, group: string): void {
  const groups = new Set(groupsOf(userPoolId, userName));
  groups.add(group);
  writeFileSync(groupsFile(userPoolId, userName), JSON.stringify([...groups]));
}
