import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { storage } from './storage/resource';
import { onUpload } from './functions/on-upload/resource';
import { onDelete } from './functions/on-delete/resource';

/**
 * A bucket whose `onUpload` / `onDelete` triggers are TypeScript functions, for the storage
 * triggers end-to-end test: each handler appends the S3 event it receives (and its
 * `secret('TRIGGER_TAG')`) to `trigger-events.jsonl` beside amplify/.
 */
defineBackend({ auth, storage, onUpload, onDelete });
