import type { Catalogue } from '../i18n.js';
import { en } from './en.js';
export const de: Catalogue = { ...en };
