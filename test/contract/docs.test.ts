import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_NAMES } from '../../shared/src/actions/specs.generated.js';
import {
  actionReadme,
  actionReadmeFile,
  CONFIG_SCHEMA_FILE,
  configJsonSchema,
  readmeWithTable,
} from '../../shared/tools/gen-docs.js';
import { REPO_ROOT } from '../harness/runner.js';

describe('generated documents are current (run `npm run docs` when this fails)', () => {
  it('docs/schemas/mlops-config.schema.json', () => {
    expect(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')).toBe(configJsonSchema());
  });

  it("README's generated parts: the actions table and the PR workflow", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(readmeWithTable(readme));
  });

  for (const name of ACTION_NAMES) {
    it(`actions/${name}/README.md, from its action.yml and docs/examples/${name}.yml`, () => {
      expect(readFileSync(actionReadmeFile(name), 'utf8')).toBe(actionReadme(name));
    });
  }
});
