import { parse as parseYaml } from 'yaml';
import { COMMANDS, COMMAND_IDS, type CommandId, type Scope } from './commands.js';
import { displayKey, normalizeKeyName, type KeyName } from './keys.js';
import { readUiSettings, type UiSettings } from './ui-config.js';

/**
 * Keys → semantic commands. A key resolves in the focused pane's scope first, then globally,
 * so Ctrl+A means "aggregated" in the layers pane and "toggle added" in the file tree, as in
 * dive.
 */
export type Keymap = {
  /** The command a key runs in a pane, if any. */
  resolve(scope: Exclude<Scope, 'global'>, key: KeyName): CommandId | undefined;
  /** The keys bound to a command, in the order given. */
  keysFor(id: CommandId): readonly KeyName[];
};

/** Per-command key lists that replace the defaults. */
export type KeyOverrides = Partial<Record<CommandId, readonly KeyName[]>>;

export function createKeymap(overrides: KeyOverrides = {}): Keymap {
  const keys = new Map<CommandId, readonly KeyName[]>();
  const byScope = new Map<Scope, Map<KeyName, CommandId>>([
    ['global', new Map()],
    ['layers', new Map()],
    ['tree', new Map()],
    ['waste', new Map()],
    ['history', new Map()],
    ['packages', new Map()],
  ]);
  for (const c of COMMANDS) {
    const list = (overrides[c.id] ?? c.keys).map((k) => normalizeKeyName(k) ?? k);
    keys.set(c.id, list);
  }
  for (const c of COMMANDS) for (const k of keys.get(c.id)!) if (!byScope.get(c.scope)!.has(k)) byScope.get(c.scope)!.set(k, c.id);
  return {
    resolve(scope, key) {
      // The history panel sits under the tree: the tree's keys work there too, after its own.
      return byScope.get(scope)!.get(key) ?? (scope === 'history' ? byScope.get('tree')!.get(key) : undefined) ?? byScope.get('global')!.get(key);
    },
    keysFor(id) {
      return keys.get(id) ?? [];
    },
  };
}

/** `^A/k` style list of a command's keys. */
export function formatKeys(keymap: Keymap, id: CommandId): string {
  return keymap.keysFor(id).map(displayKey).join('/');
}

/**
 * Reads the `keybindings:` section of the YAML config:
 *
 * ```yaml
 * keybindings:
 *   app.quit: [q, ctrl+c]
 *   tree.collapse: space
 * ```
 *
 * Unknown commands and key names are reported, not thrown, so a typo never stops the tool.
 */
export function parseKeyConfig(text: string): { overrides: KeyOverrides; problems: string[]; settings?: UiSettings } {
  const problems: string[] = [];
  const overrides: Record<string, KeyName[]> = {};
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return { overrides, problems: [`the config is not valid YAML: ${(e as Error).message}`] };
  }
  if (doc === null || doc === undefined) return { overrides, problems };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { overrides, problems: ['the config must be a mapping'] };
  // `theme:` and `mouse:` beside the key bindings (ui-config.ts).
  const settings = readUiSettings(doc as Record<string, unknown>, problems);
  const kb = (doc as Record<string, unknown>).keybindings;
  if (kb === undefined) return { overrides, problems, settings };
  if (typeof kb !== 'object' || kb === null || Array.isArray(kb)) return { overrides, problems: [...problems, 'keybindings must be a mapping of command to keys'], settings };
  for (const [id, value] of Object.entries(kb)) {
    if (!COMMAND_IDS.has(id)) {
      problems.push(`unknown command "${id}"`);
      continue;
    }
    const list = Array.isArray(value) ? value : [value];
    const out: KeyName[] = [];
    for (const v of list) {
      const k = typeof v === 'string' ? normalizeKeyName(v) : undefined;
      if (k === undefined) problems.push(`${id}: unknown key ${JSON.stringify(v)}`);
      else out.push(k);
    }
    if (out.length > 0) overrides[id] = out;
  }
  return { overrides: overrides as KeyOverrides, problems, settings };
}
