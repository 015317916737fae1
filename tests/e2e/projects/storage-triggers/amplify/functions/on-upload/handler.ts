import { appendFileSync, existsSync } from 'node:fs';
import type { S3Handler } from 'aws-lambda';
import { env } from '$amplify/env/on-upload';
import { record } from '../record';

/**
 * Records every S3 event it receives. An upload of a key with `hold` in it waits until the
 * test creates `<project>/release` — while the upload has already been answered.
 */
export const handler: S3Handler = async (event) => {
  const key = event.Records[0]?.s3.object.key ?? '';
  if (key.includes('hold')) {
    const release = new URL('../../../release', import.meta.url);
    appendFileSync(new URL('../../../holding', import.meta.url), `${key}\n`);
    while (!existsSync(release)) await new Promise((r) => setTimeout(r, 50));
  }
  record('on-upload', event, env.TRIGGER_TAG);
};
