import type { PageCatalogue } from '../i18n.js';
import { en } from './en.js';
export const zhHans: PageCatalogue = { ...en };
