import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { UserError } from '../errors/index.js';

/** Committed YAML is small; a bigger file or an alias bomb is refused before it is expanded. */
export const YAML_MAX_BYTES = 1024 * 1024;
export const YAML_MAX_ALIASES = 100;

export interface YamlSource {
  file: string;
  value: unknown;
  /** 1-based line of the node at a key path (or of its nearest parent that exists). */
  lineOf(path: readonly PropertyKey[]): number | undefined;
  /** 1-based line of the *key* at a path, for "unknown key" messages. */
  keyLineOf(path: readonly PropertyKey[]): number | undefined;
}

export function readYamlFile(file: string): YamlSource {
  return parseYamlText(readConfigText(file, `'${file}'`), file);
}

/**
 * Reads a committed configuration file (mlops.yml, a schema, thresholds): it must be a regular
 * file of at most `YAML_MAX_BYTES`. A path to /dev/zero ran out of memory and a FIFO hung the
 * step; those are refused, and the read itself stops at the limit in case the file grows.
 * `what` names the file in messages; `options` are the error's input and file.
 */
export function readConfigText(
  file: string,
  what: string,
  options: { input?: string; file?: string } = {},
): string {
  const where = { file: options.file ?? file, input: options.input };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    throw new UserError(`Cannot read ${what}: the file does not exist or cannot be opened.`, where);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new UserError(
        `${what} is not a regular file (a device, FIFO or folder); give the path of a file.`,
        where,
      );
    if (stat.size > YAML_MAX_BYTES)
      throw new UserError(
        `${what} is ${stat.size} bytes; YAML files here are limited to ${YAML_MAX_BYTES} bytes.`,
        where,
      );
    const buffer = Buffer.alloc(YAML_MAX_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > YAML_MAX_BYTES)
        throw new UserError(
          `${what} is over ${YAML_MAX_BYTES} bytes; YAML files here are limited to that.`,
          where,
        );
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function parseYamlText(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new UserError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${first.message.split('\n')[0]}`, {
      file,
      line: pos.line,
      column: pos.col,
    });
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: YAML_MAX_ALIASES });
  } catch (error) {
    throw new UserError(`${file}: ${error instanceof Error ? error.message : String(error)}`, { file });
  }
  const line = (node: Node | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  return {
    file,
    value,
    lineOf: (path) => line(nodeAt(doc, path).node),
    keyLineOf: (path) => {
      const { node, key } = nodeAt(doc, path);
      return line(key ?? node);
    },
  };
}

function nodeAt(doc: Document, path: readonly PropertyKey[]): { node: Node | null | undefined; key?: Node } {
  let node: Node | null | undefined = doc.contents as Node | null;
  let key: Node | undefined;
  for (const part of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
    if (!pair) break;
    key = pair.key as Node;
    node = pair.value as Node | null;
  }
  return { node, key };
}
