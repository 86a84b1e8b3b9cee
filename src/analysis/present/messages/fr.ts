import type { Catalogue } from '../i18n.js';
import { en } from './en.js';
export const fr: Catalogue = { ...en };
