import type { Catalogue } from '../catalogue.js';
import { en } from './en.js';
export const ja: Catalogue = { ...en };
