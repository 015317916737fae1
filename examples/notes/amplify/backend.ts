import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { data } from './data/resource';
import { storage } from './storage/resource';
import { wordCount } from './functions/word-count/resource';

/**
 * A small notes app: users sign in with email, keep private notes in notebooks,
 * share public notes, attach files, and ask a function to count words.
 */
defineBackend({ auth, data, storage, wordCount });
