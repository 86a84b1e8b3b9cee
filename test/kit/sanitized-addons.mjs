/**
 * Preloaded (`node --import`) into the process of a sanitizer run (test/server/native-fuzz.test.ts):
 * callprobe's addons are loaded from dist/native-sanitized/, their build with AddressSanitizer and
 * UndefinedBehaviorSanitizer (scripts/build-native.js), in place of the shipped dist/native/. Only
 * this process: nothing of the product reads it.
 */
import Module from 'node:module';
import { sep } from 'node:path';

const extensions = /** @type {{ _extensions: Record<string, (module: unknown, filename: string) => void> }} */ (/** @type {unknown} */ (Module))._extensions;
const load = extensions['.node'];
extensions['.node'] = (module, filename) => load?.(module, filename.replace(`${sep}native${sep}callprobe-`, `${sep}native-sanitized${sep}callprobe-`));
