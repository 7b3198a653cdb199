import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// This file sits one level below the package root both as src/paths.ts and as dist/paths.js.
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLED_RULES_DIR = join(PACKAGE_ROOT, 'models', 'rules');
export const BUNDLED_MODEL_DIR = join(PACKAGE_ROOT, 'models', 'qorgau-tiny');
export const BUNDLED_THRESHOLDS = join(PACKAGE_ROOT, 'models', 'thresholds.json');
export const BUNDLED_LINEAR_DIR = join(PACKAGE_ROOT, 'models', 'qorgau-linear');
