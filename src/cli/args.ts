import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { DEFAULT_RULES, type RuleName, type RuleSettings } from '../core/rules/rules.js';
import { parseBytes } from '../format/bytes.js';
import { parsePlatform, type Platform } from '../reference/platform.js';
import { UsageError } from '../errors/index.js';

/** Validated options: everything the modes need, nothing read from process state later. */
export type Options = {
  readonly images: readonly string[];
  readonly ci: boolean;
  readonly json?: string;
  readonly jsonFormat: 'inspect-tui' | 'dive';
  readonly ciConfig?: string;
  /** Flag overrides of rule thresholds (already parsed). */
  readonly ruleOverrides: Partial<RuleSettings>;
  /** `--platform`, parsed. */
  readonly platform?: Platform;
  readonly source?: 'docker' | 'podman' | 'docker-archive' | 'registry' | 'containerd';
  /** `--namespace`: the containerd namespace (the source falls back to CONTAINERD_NAMESPACE, then `default`). */
  readonly namespace?: string;
  readonly username?: string;
  readonly passwordStdin: boolean;
  readonly caCerts: readonly string[];
  readonly insecure: boolean;
  readonly quiet: boolean;
  readonly debug: boolean;
  readonly noCache: boolean;
  /** `--no-verify`: do not check layer bytes against their digests (nothing is cached then). */
  readonly noVerify: boolean;
  readonly config?: string;
  readonly help: boolean;
  readonly version: boolean;
};

export const USAGE = `Usage: inspect-tui [options] IMAGE [IMAGE…]

Explore a container image layer by layer; with --ci (or CI=true), gate on dive's rules.

IMAGE (transports as in skopeo/podman):
  docker-archive:PATH[:TAG]   a docker save tarball (- reads stdin; gzip-wrapped is fine)
  oci-archive:PATH[:REF]      a tar of an OCI image layout
  oci:DIR[:REF]               an OCI image layout directory
  docker-daemon:NAME[:TAG]    a Docker or Podman daemon (DOCKER_HOST, default sockets)
  docker://NAME[:TAG|@DIGEST] a registry, pulled directly, no daemon needed
  containerd:NAME[:TAG|@DIGEST] containerd's image store (CONTAINERD_ADDRESS, --namespace)
  PATH | NAME                 an existing file or directory is sniffed; a name is looked up
                              in the local daemon (else containerd), then the registry
  In --ci mode IMAGE may be a glob ('dist/*.tar'); each image is reported in turn.

Options:
  --ci                              run headless: print dive's report, exit 0 pass / 1 fail / 2 error
  --json FILE                       write the analysis as JSON (- for stdout; the report then goes to stderr)
  --json-format inspect-tui|dive    the export shape (default inspect-tui, schemaVersion 1)
  --ci-config FILE                  rules file (default: .dive-ci in the working directory)
  --lowestEfficiency N              fail when efficiency < N (default 0.9; "disabled" turns it off)
  --highestWastedBytes SIZE         fail when wasted bytes > SIZE, e.g. 20MB (default disabled)
  --highestUserWastedPercent N      fail when wasted/user bytes > N (default 0.1)
  --platform OS/ARCH[/VARIANT]      pick from a multi-platform image (default: host, then linux/amd64)
  --source docker|podman|docker-archive|registry|containerd   where a bare IMAGE is looked up (dive's flag)
  --namespace NS                    containerd namespace (default $CONTAINERD_NAMESPACE, else default; k8s.io on Kubernetes)
  --username USER --password-stdin  registry credentials (password read from stdin)
  --ca-cert FILE                    trust this CA for registry TLS (repeatable)
  --insecure, --tls-verify=false    allow plain HTTP / unverified TLS for a non-loopback registry
  --config FILE                     key bindings file (default $XDG_CONFIG_HOME/inspect-tui/config.yaml)
  --no-cache                        do not read or write the per-layer analysis cache
  --no-verify                       do not check layer bytes against their digests (faster; nothing is cached)
  --quiet                           no progress lines
  --debug                           show the cause chain and stack of an error
  -h, --help                        this help
  --version                         the version
`;

const RULE_NAMES: readonly RuleName[] = ['lowestEfficiency', 'highestWastedBytes', 'highestUserWastedPercent'];

/** Parses one rule value: a fraction or, for highestWastedBytes, a size; `disabled` turns it off. */
export function parseRuleValue(name: RuleName, raw: unknown, where: string): number | 'disabled' {
  if (raw === 'disabled' || raw === 'off' || raw === false) return 'disabled';
  if (name === 'highestWastedBytes') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseBytes(raw) : undefined;
    if (n === undefined || !Number.isFinite(n) || n < 0) throw new UsageError(`${where}: ${name} "${String(raw)}" is not a size (for example 20MB) or "disabled"`);
    return n;
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${where}: ${name} "${String(raw)}" is not a number or "disabled"`);
  return n;
}

/** Reads `.dive-ci`-style YAML (`rules:` with dive's camelCase keys). */
export function parseCiConfig(text: string, file: string): Partial<RuleSettings> {
  let doc: unknown;
  try {
    // Loaded only when there is a rules file to read (keeps the common path's startup lean).
    const { parse: parseYaml } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = parseYaml(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  if (doc === null || doc === undefined) return {};
  const rules = (doc as { rules?: unknown }).rules;
  if (rules === undefined || rules === null) return {};
  if (typeof rules !== 'object' || Array.isArray(rules)) throw new UsageError(`${file}: "rules" must be a mapping`);
  const out: Partial<Record<RuleName, number | 'disabled'>> = {};
  for (const [k, v] of Object.entries(rules as Record<string, unknown>)) {
    if (!(RULE_NAMES as string[]).includes(k)) throw new UsageError(`${file}: unknown rule "${k}" (known: ${RULE_NAMES.join(', ')})`);
    out[k as RuleName] = parseRuleValue(k as RuleName, v, file);
  }
  return out;
}

/** Defaults ← config file ← flags. */
export function resolveRules(fromFile: Partial<RuleSettings>, flags: Partial<RuleSettings>): RuleSettings {
  return { ...DEFAULT_RULES, ...fromFile, ...flags };
}

/**
 * Parses argv (without node and script) and the environment into Options. Throws UsageError
 * with one line for anything wrong.
 */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ci: { type: 'boolean' },
        json: { type: 'string' },
        'json-format': { type: 'string' },
        'ci-config': { type: 'string' },
        lowestEfficiency: { type: 'string' },
        highestWastedBytes: { type: 'string' },
        highestUserWastedPercent: { type: 'string' },
        platform: { type: 'string' },
        source: { type: 'string' },
        namespace: { type: 'string' },
        username: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        'ca-cert': { type: 'string', multiple: true },
        insecure: { type: 'boolean' },
        'tls-verify': { type: 'string' },
        config: { type: 'string' },
        'no-cache': { type: 'boolean' },
        'no-verify': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        debug: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see --help)`, { cause: e });
  }
  const v = parsed.values;
  const ruleOverrides: Partial<Record<RuleName, number | 'disabled'>> = {};
  for (const name of RULE_NAMES) {
    const raw = v[name];
    if (raw !== undefined) ruleOverrides[name] = parseRuleValue(name, raw, `--${name}`);
  }
  const jsonFormat = v['json-format'] ?? 'inspect-tui';
  if (jsonFormat !== 'inspect-tui' && jsonFormat !== 'dive') throw new UsageError(`--json-format "${jsonFormat}" is not one of inspect-tui, dive`);
  const source = v.source;
  if (source !== undefined && !['docker', 'podman', 'docker-archive', 'registry', 'containerd'].includes(source)) {
    throw new UsageError(`--source "${source}" is not one of docker, podman, docker-archive, registry, containerd`);
  }
  const platform = v.platform === undefined ? undefined : parsePlatform(v.platform);
  const tlsVerify = v['tls-verify'];
  if (tlsVerify !== undefined && tlsVerify !== 'true' && tlsVerify !== 'false') throw new UsageError(`--tls-verify takes true or false, not "${tlsVerify}"`);
  if (v['password-stdin'] && !v.username) throw new UsageError('--password-stdin needs --username');
  const help = v.help ?? false;
  const version = v.version ?? false;
  if (!help && !version && parsed.positionals.length === 0) throw new UsageError('no image given (see --help)');
  const ci = (v.ci ?? false) || env.CI === 'true';
  if (!ci && parsed.positionals.length > 1 && !help && !version) throw new UsageError('the inspector opens one image at a time; several images are for --ci');
  if (v['password-stdin'] && parsed.positionals.includes('-')) throw new UsageError('--password-stdin and an image on stdin (-) cannot both read stdin');
  return {
    images: parsed.positionals,
    ci,
    json: v.json,
    jsonFormat,
    ciConfig: v['ci-config'],
    ruleOverrides,
    platform,
    source: source as Options['source'],
    namespace: v.namespace,
    username: v.username,
    passwordStdin: v['password-stdin'] ?? false,
    caCerts: v['ca-cert'] ?? [],
    insecure: (v.insecure ?? false) || tlsVerify === 'false',
    quiet: v.quiet ?? false,
    debug: v.debug ?? false,
    noCache: v['no-cache'] ?? false,
    noVerify: v['no-verify'] ?? false,
    config: v.config,
    help,
    version,
  };
}
