import type { UserMigrationTriggerHandler } from 'aws-lambda';
import { record } from '../journal';

/** The old user directory. */
const legacy: Record<string, { password: string; name: string }> = {
  'old-timer@legacy.example.com': { password: 'Legacy-Passw0rd', name: 'Old Timer' },
  'forgetful@legacy.example.com': { password: 'Forgotten-1', name: 'Forgetful' },
};

export const handler: UserMigrationTriggerHandler = async (event) => {
  record('user-migration', { ...event, request: { ...event.request, password: '<hidden>' } });
  const user = legacy[event.userName];
  // Not in the old directory, or the wrong password: no attributes, nobody is migrated.
  if (!user) return event;
  if (event.triggerSource === 'UserMigration_Authentication') {
    if (event.request.password !== user.password) return event;
    event.response.finalUserStatus = 'CONFIRMED';
  }
  event.response.userAttributes = {
    email: event.userName,
    email_verified: 'true',
    name: user.name,
  };
  event.response.messageAction = 'SUPPRESS';
  return event;
};
