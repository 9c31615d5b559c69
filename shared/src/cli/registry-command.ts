import { userInfo } from 'node:os';
import { UserError } from '../errors/index.js';
import { diffVersions, listModels, openRegistry, setAlias, showVersion } from '../registry/index.js';
import { parseArguments } from './arguments.js';
import type { CliCommand } from './commands.js';

const REGISTRY_HELP = `mlops registry: look at and move models in the local registry.

Usage:
  mlops registry list                                   models, versions and aliases
  mlops registry show <name[@alias|/version]>           one version's record (a bare name: latest)
  mlops registry alias <name> <alias> <version> [--expected <n|none>]
                                                        move an alias (compare-and-swap)
  mlops registry diff <ref-a> <ref-b>                   metrics and files of two versions

Options: --registry <folder> (default .mlops/registry), --json
`;

export const registryCommand: CliCommand = {
  name: 'registry',
  summary: 'List, show, diff registered models and move aliases (compare-and-swap).',
  async run(argv, io) {
    const args = parseArguments(argv);
    const [sub, ...rest] = args.positional;
    if (args.help || !sub) {
      io.stdout.write(REGISTRY_HELP);
      return args.help ? 0 : 1;
    }
    const registry = openRegistry({
      backend: 'local',
      registry: args.inputs.registry ?? '',
      workingDirectory: process.cwd(),
    });
    const print = (value: unknown, text: string) =>
      io.stdout.write(args.json ? `${JSON.stringify(value, null, 2)}\n` : text);
    const need = (count: number, usage: string) => {
      if (rest.length !== count) throw new UserError(`Usage: mlops registry ${usage}`);
    };
    switch (sub) {
      case 'list': {
        const models = await listModels(registry);
        const lines = models.map((m) => {
          const aliases = Object.entries(m.aliases).map(([a, v]) => `${a}=${v}`);
          return `${m.name}: versions ${m.versions.join(', ')}${aliases.length ? `; aliases ${aliases.join(', ')}` : ''}`;
        });
        print(models, lines.length ? `${lines.join('\n')}\n` : 'no models registered\n');
        return 0;
      }
      case 'show': {
        need(1, 'show <name[@alias|/version]>');
        // A bare name means its latest version, as `docker inspect image` means :latest.
        const reference = /[@/]/.test(rest[0]) ? rest[0] : `${rest[0]}@latest`;
        const details = await showVersion(registry, reference);
        print(details, `${JSON.stringify(details.record, null, 2)}\n`);
        return 0;
      }
      case 'alias': {
        need(3, 'alias <name> <alias> <version> [--expected <n|none>]');
        const [name, alias, version] = rest;
        const change = await setAlias(registry, {
          name,
          alias,
          version: /^\d+$/.test(version) ? Number(version) : version,
          expected: args.inputs.expected,
          actor: userInfo().username,
        });
        print(change, `${name}@${alias}: ${change.previous ?? 'none'} -> ${change.version}\n`);
        return 0;
      }
      case 'diff': {
        need(2, 'diff <ref-a> <ref-b>');
        const diff = await diffVersions(registry, rest[0], rest[1]);
        print(diff, `${diff.markdown}\n`);
        return 0;
      }
      default:
        throw new UserError(`Unknown registry command '${sub}': use list, show, alias or diff.`);
    }
  },
};
