import { parseArgs } from 'node:util';
import { DEFAULT_RULES, type RuleName, type RuleSettings } from '../core/index.js';
import { parseCiFile, parseFindingBytes, parseReportSpecs, parseRuleValue, RULE_NAMES, type ReportSpec } from './ci-config.js';
import { parsePlatform, type Platform } from '../reference/platform.js';
import { UsageError } from '../errors/index.js';
import { isThemeName, THEME_NAMES, type ThemeName } from '../viewmodel/ui-config.js';

/** Validated options: everything the modes need, nothing read from process state later. */
export type Options = {
  readonly images: readonly string[];
  readonly ci: boolean;
  readonly json?: string;
  readonly jsonFormat: 'inspect-tui' | 'dive';
  /** `--report FORMAT[=FILE]`, in the order given. */
  readonly reports: readonly ReportSpec[];
  readonly ciConfig?: string;
  /** Flag overrides of rule thresholds (already parsed). */
  readonly ruleOverrides: Partial<RuleSettings>;
  /** `--highestFindingBytes SIZE`: fail when all findings together hold more (over the file's total). */
  readonly findingTotal?: number;
  /** `--base-layers N`: the bottom N layers are the base image (findings report their waste apart). */
  readonly baseLayers?: number;
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
  /** `--no-packages`: do not read the package databases (no packages, owners or package changes). */
  readonly noPackages: boolean;
  readonly config?: string;
  /** `--theme`: the inspector's colours (else the config's `theme:`, else dark). */
  readonly theme?: ThemeName;
  /** `--no-mouse`: the inspector does not ask the terminal for mouse reports. */
  readonly noMouse: boolean;
  readonly help: boolean;
  readonly version: boolean;
};

export const USAGE = `Usage: inspect-tui [options] IMAGE [IMAGE…]
       inspect-tui init [--flavour node|python|java|go|generic] [--force]   write a commented .dive-ci

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
  --report FORMAT[=FILE]            also write a report, repeatable: markdown=FILE (and appended to
                                    $GITHUB_STEP_SUMMARY when set), junit=FILE, sarif=FILE,
                                    codequality=FILE (GitLab), github (workflow commands on stdout)
  --ci-config FILE                  rules and path rules (default: .dive-ci in the working directory)
  --lowestEfficiency N              fail when efficiency < N (default 0.9; "disabled" turns it off)
  --highestWastedBytes SIZE         fail when wasted bytes > SIZE, e.g. 20MB (default disabled)
  --highestUserWastedPercent N      fail when wasted/user bytes > N (default 0.1)
  --highestFindingBytes SIZE        fail when the findings hold more than SIZE (off by default)
  --base-layers N                   the bottom N layers are the base image (default: guessed from the history)
  --platform OS/ARCH[/VARIANT]      pick from a multi-platform image (default: host, then linux/amd64)
  --source docker|podman|docker-archive|registry|containerd   where a bare IMAGE is looked up (dive's flag)
  --namespace NS                    containerd namespace (default $CONTAINERD_NAMESPACE, else default; k8s.io on Kubernetes)
  --username USER --password-stdin  registry credentials (password read from stdin)
  --ca-cert FILE                    trust this CA for registry TLS (repeatable)
  --insecure, --tls-verify=false    allow plain HTTP / unverified TLS for a non-loopback registry
  --config FILE                     key bindings file (default $XDG_CONFIG_HOME/inspect-tui/config.yaml)
  --theme dark|light|high-contrast  the inspector's colours (default dark; light for a white background)
  --no-mouse                        no mouse in the inspector (clicks and the wheel are on by default)
  --no-cache                        do not read or write the per-layer analysis cache
  --no-verify                       do not check layer bytes against their digests (faster; nothing is cached)
  --no-packages                     do not read the package databases (no packages, owners or package changes)
  --quiet                           no progress lines
  --debug                           show the cause chain and stack of an error
  -h, --help                        this help
  --version                         the version
`;

export { parseRuleValue };

/** Reads `.dive-ci`-style YAML and returns its `rules:` (dive's camelCase keys); `paths:` is checked too. */
export function parseCiConfig(text: string, file: string): Partial<RuleSettings> {
  return parseCiFile(text, file).rules;
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
        report: { type: 'string', multiple: true },
        'ci-config': { type: 'string' },
        lowestEfficiency: { type: 'string' },
        highestWastedBytes: { type: 'string' },
        highestUserWastedPercent: { type: 'string' },
        highestFindingBytes: { type: 'string' },
        'base-layers': { type: 'string' },
        platform: { type: 'string' },
        source: { type: 'string' },
        namespace: { type: 'string' },
        username: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        'ca-cert': { type: 'string', multiple: true },
        insecure: { type: 'boolean' },
        'tls-verify': { type: 'string' },
        config: { type: 'string' },
        theme: { type: 'string' },
        'no-mouse': { type: 'boolean' },
        'no-cache': { type: 'boolean' },
        'no-verify': { type: 'boolean' },
        'no-packages': { type: 'boolean' },
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
  const findingTotal = v.highestFindingBytes === undefined ? undefined : parseFindingBytes(v.highestFindingBytes, '--highestFindingBytes');
  const baseRaw = v['base-layers'];
  if (baseRaw !== undefined && !/^\d+$/.test(baseRaw)) throw new UsageError(`--base-layers "${baseRaw}" is not a number of layers`);
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
  if (v.theme !== undefined && !isThemeName(v.theme)) throw new UsageError(`--theme "${v.theme}" is not one of ${THEME_NAMES.join(', ')}`);
  const help = v.help ?? false;
  const version = v.version ?? false;
  if (!help && !version && parsed.positionals.length === 0) throw new UsageError('no image given (see --help)');
  // --report asks for a verdict: it implies --ci
  const ci = (v.ci ?? false) || env.CI === 'true' || (v.report?.length ?? 0) > 0;
  if (!ci && parsed.positionals.length > 1 && !help && !version) throw new UsageError('the inspector opens one image at a time; several images are for --ci');
  if (v['password-stdin'] && parsed.positionals.includes('-')) throw new UsageError('--password-stdin and an image on stdin (-) cannot both read stdin');
  return {
    images: parsed.positionals,
    ci,
    json: v.json,
    jsonFormat,
    reports: parseReportSpecs(v.report ?? [], env),
    ciConfig: v['ci-config'],
    ruleOverrides,
    ...(findingTotal !== undefined ? { findingTotal } : {}),
    ...(baseRaw !== undefined ? { baseLayers: Number(baseRaw) } : {}),
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
    noPackages: v['no-packages'] ?? false,
    config: v.config,
    ...(v.theme !== undefined ? { theme: v.theme as ThemeName } : {}),
    noMouse: v['no-mouse'] ?? false,
    help,
    version,
  };
}
