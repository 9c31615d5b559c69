/**
 * Reads a step's log the way GitHub's runner does (actions/runner ActionCommandManager and
 * ActionCommand): each line of stdout or stderr is tried as a `::name props::data` command
 * (after trimming leading space), then as a legacy `##[name props]data` command found ANYWHERE in
 * the line; `::stop-commands::TOKEN` suspends processing until a line that parses as the command
 * TOKEN. The result is the list of commands the runner would execute, so a test can prove that
 * data printed to the log executed nothing.
 */

/** The runner's registered command names (plus stop-commands). */
const REGISTERED = new Set([
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'warning',
  'error',
  'notice',
  'debug',
  'group',
  'endgroup',
  'echo',
  'stop-commands',
]);

export interface ExecutedCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
  line: string;
}

function parseV2(line: string, names: Set<string>): ExecutedCommand | undefined {
  const message = line.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!hasName(names, name)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeCommandText(pair.slice(eq + 1));
    }
  }
  return { name: name.toLowerCase(), properties, data: unescapeCommandText(message.slice(end + 2)), line };
}

function parseV1(line: string, names: Set<string>): ExecutedCommand | undefined {
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const close = line.indexOf(']', prefix);
  if (close < 0) return undefined;
  const info = line.slice(prefix + 3, close);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!hasName(names, name)) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeCommandText(pair.slice(eq + 1));
    }
  }
  return { name: name.toLowerCase(), properties, data: unescapeCommandText(line.slice(close + 1)), line };
}

function hasName(names: Set<string>, name: string): boolean {
  return names.has(name.toLowerCase());
}

function unescapeCommandText(text: string): string {
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%3B/g, ';')
    .replace(/%5D/g, ']')
    .replace(/%25/g, '%');
}

/** The commands the runner would execute for this output, in order (one stream). */
export function executedCommands(output: string): ExecutedCommand[] {
  const names = new Set([...REGISTERED].map((name) => name.toLowerCase()));
  const executed: ExecutedCommand[] = [];
  let stopToken: string | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (line === '') continue;
    const command = parseV2(line, names) ?? parseV1(line, names);
    if (!command) continue;
    if (stopToken !== undefined) {
      if (command.name === stopToken.toLowerCase()) {
        names.delete(stopToken.toLowerCase());
        stopToken = undefined;
      }
      continue;
    }
    if (command.name === 'stop-commands') {
      stopToken = command.data;
      names.add(stopToken.toLowerCase());
    }
    executed.push(command);
  }
  return executed;
}

/**
 * Commands in a step's output that the suite's own code did not mean to send: anything but
 * debug/annotation lines and the one `add-mask` for the token, or an annotation whose properties
 * or text came from `planted` data (e.g. `file=evil.py` or a planted message).
 */
export function commandsFromData(
  streams: string[],
  options: { token?: string; planted: string[] },
): ExecutedCommand[] {
  const suspicious: ExecutedCommand[] = [];
  for (const stream of streams) {
    for (const command of executedCommands(stream)) {
      if (command.name === 'debug') continue;
      // guardWorkflowCommands' fences: a random 128-bit token that data cannot know.
      if (command.name === 'stop-commands' && /^[0-9a-f]{32}$/.test(command.data)) continue;
      if (command.name === 'add-mask' && options.token !== undefined && command.data === options.token)
        continue;
      if (['error', 'warning', 'notice'].includes(command.name)) {
        const fromData =
          Object.values(command.properties).some((value) => options.planted.some((p) => value.includes(p))) ||
          options.planted.some((p) => command.data === p);
        if (!fromData) continue;
      }
      suspicious.push(command);
    }
  }
  return suspicious;
}
