/** Setup file: removes the helpers' temporary directories after every test file. */
import { afterAll } from 'vitest';
import { removeTrackedTempDirs } from './temp-dirs.js';

afterAll(removeTrackedTempDirs);
