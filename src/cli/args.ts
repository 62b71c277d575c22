import { DEFAULT_RULES, type RuleName, type RuleSettings } from '../core/index.js';
import { UsageError } from '../errors/index.js';
import { THEME_NAMES, type ThemeName } from '../format/index.js';
import { parsePlatform, type Platform } from '../reference/index.js';
import { REPORT_FORMATS } from '../report/index.js';
import { parseCiFile, parseFindingBytes, parseReportSpecs, parseRuleValue, RULE_NAMES, type ReportSpec } from './ci-config.js';
import { flagOf, listOf, parseOptions, stringOf, type OptionSpec, type OptionValues } from './options.js';

/** Where a bare IMAGE is looked up (dive's `--source`). */
export const SOURCE_NAMES = ['docker', 'podman', 'docker-archive', 'registry', 'containerd'] as const;

/**
 * What every command that reads images takes: where and how to read them, and the inspector's
 * display. Validated; nothing is read from process state later.
 */
export type ImageOptions = {
  /** `--platform`, parsed. */
  readonly platform?: Platform;
  readonly source?: (typeof SOURCE_NAMES)[number];
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
  /** `--ci-config FILE`: the rules file (else `.dive-ci` in the working directory, when there is one). */
  readonly ciConfig?: string;
  /** `--no-packages`: do not read the package databases (no packages, owners or package changes). */
  readonly noPackages: boolean;
  /** `--config FILE`: the inspector's key bindings and display settings. */
  readonly config?: string;
  /** `--theme`: the inspector's colours (else the config's `theme:`, else dark). */
  readonly theme?: ThemeName;
  /** `--no-mouse`: the inspector does not ask the terminal for mouse reports. */
  readonly noMouse: boolean;
};

/** Validated options of the default command (inspect): the images, the CI gate and its outputs. */
export type Options = ImageOptions & {
  readonly images: readonly string[];
  readonly ci: boolean;
  readonly json?: string;
  readonly jsonFormat: 'inspect-tui' | 'dive';
  /** `--report FORMAT[=FILE]`, in the order given. */
  readonly reports: readonly ReportSpec[];
  /** Flag overrides of rule thresholds (already parsed). */
  readonly ruleOverrides: Partial<RuleSettings>;
  /** `--highestFindingBytes SIZE`: fail when all findings together hold more (over the file's total). */
  readonly findingTotal?: number;
  /** `--base-layers N`: the bottom N layers are the base image (findings report their waste apart). */
  readonly baseLayers?: number;
  /** `--dockerfile PATH`: the Dockerfile the image was built from (else one in the working directory, when it matches). */
  readonly dockerfile?: string;
  /**
   * `--ignore-errors` (dive's flag): an image of several that cannot be read is still reported
   * (stderr, and as unreadable in every report), but does not make the run exit 2 unless no
   * image could be read at all.
   */
  readonly ignoreErrors: boolean;
  readonly help: boolean;
  readonly version: boolean;
};

/** `--no-packages`: a row of the image options, and of `build`'s (no engine has it). */
export const NO_PACKAGES_OPTION: OptionSpec = { name: 'no-packages', description: 'do not read the package databases (no packages, owners or package changes)' };

/** Where and how images are read: every command that reads images takes these. */
export const IMAGE_OPTIONS: readonly OptionSpec[] = [
  { name: 'platform', value: { label: 'OS/ARCH[/VARIANT]', kind: 'platform' }, description: 'pick from a multi-platform image (default: the host, then linux/amd64)' },
  { name: 'source', value: { label: 'SOURCE', kind: 'choice', choices: SOURCE_NAMES }, description: "where a bare IMAGE is looked up (dive's flag)" },
  { name: 'namespace', value: { label: 'NS', kind: 'text' }, description: 'containerd namespace (default $CONTAINERD_NAMESPACE, else default; k8s.io on Kubernetes)' },
  { name: 'username', value: { label: 'USER', kind: 'text' }, description: 'registry user name (the password from --password-stdin)' },
  { name: 'password-stdin', description: 'read the registry password from stdin (needs --username)' },
  { name: 'ca-cert', value: { label: 'FILE', kind: 'file' }, repeatable: true, description: 'trust this CA for registry TLS' },
  { name: 'insecure', description: 'allow plain HTTP / unverified TLS for a non-loopback registry' },
  { name: 'tls-verify', value: { label: 'BOOL', kind: 'choice', choices: ['true', 'false'] }, description: "false is --insecure (skopeo's and podman's spelling)" },
  { name: 'no-cache', description: 'do not read or write the per-layer analysis cache' },
  { name: 'no-verify', description: 'do not check layer bytes against their digests (faster; nothing is cached)' },
  NO_PACKAGES_OPTION,
];

/** The inspector's configuration and display. */
export const INSPECTOR_OPTIONS: readonly OptionSpec[] = [
  { name: 'config', value: { label: 'FILE', kind: 'file' }, description: 'key bindings and display settings (default $XDG_CONFIG_HOME/inspect-tui/config.yaml)' },
  { name: 'theme', value: { label: 'THEME', kind: 'choice', choices: THEME_NAMES }, description: "the inspector's colours (default dark; light for a white background)" },
  { name: 'no-mouse', description: 'no mouse in the inspector (clicks and the wheel are on by default)' },
];

/** Every command has these. */
export const GENERAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'quiet', alias: 'q', description: 'no progress lines' },
  { name: 'debug', description: 'show the cause chain and stack of an error' },
  { name: 'help', alias: 'h', description: 'this help' },
];

/** The CI gate and its outputs: the default command's own options. */
export const CI_OPTIONS: readonly OptionSpec[] = [
  { name: 'ci', description: "run headless: print dive's report, exit 0 pass / 1 fail / 2 error" },
  { name: 'json', alias: 'j', value: { label: 'FILE', kind: 'file' }, description: 'write the analysis as JSON (- for stdout; the report then goes to stderr)' },
  { name: 'json-format', value: { label: 'FORMAT', kind: 'choice', choices: ['inspect-tui', 'dive'] }, description: 'the export shape (default inspect-tui, schemaVersion 1)' },
  {
    name: 'report',
    value: { label: 'FORMAT[=FILE]', kind: 'report' },
    repeatable: true,
    description: `also write a report (implies --ci): ${REPORT_FORMATS.map((f) => (f.destination === 'stdout' ? f.name : `${f.name}=FILE`)).join(', ')}; see "Report formats"`,
  },
  { name: 'ci-config', value: { label: 'FILE', kind: 'file' }, description: 'rules and path rules (default: .dive-ci in the working directory)' },
  { name: 'lowestEfficiency', value: { label: 'N', kind: 'number' }, description: 'fail when efficiency < N (default 0.9; "disabled" turns it off)' },
  { name: 'highestWastedBytes', value: { label: 'SIZE', kind: 'size' }, description: 'fail when wasted bytes > SIZE, e.g. 20MB (default disabled)' },
  { name: 'highestUserWastedPercent', value: { label: 'N', kind: 'number' }, description: 'fail when wasted/user bytes > N (default 0.1)' },
  { name: 'highestFindingBytes', value: { label: 'SIZE', kind: 'size' }, description: 'fail when the findings hold more than SIZE (off by default)' },
  { name: 'base-layers', value: { label: 'N', kind: 'number' }, description: 'the bottom N layers are the base image (default: guessed from the history)' },
  {
    name: 'ignore-errors',
    description: "with several images, one that cannot be read is reported and skipped: the exit code is the readable images' (2 only when none is readable)",
  },
];

/** Which Dockerfile line made each layer: for the inspector, the JSON and the reports. */
export const DOCKERFILE_OPTIONS: readonly OptionSpec[] = [
  { name: 'dockerfile', value: { label: 'PATH', kind: 'file' }, description: 'the Dockerfile the image was built from: results land on its lines (default: a Containerfile or Dockerfile here that matches the history)' },
];

/** The default command's option table (`inspect-tui [options] IMAGE…`). */
export const INSPECT_OPTIONS: readonly OptionSpec[] = [
  ...CI_OPTIONS,
  ...DOCKERFILE_OPTIONS,
  ...IMAGE_OPTIONS,
  ...INSPECTOR_OPTIONS,
  ...GENERAL_OPTIONS,
  { name: 'version', description: 'the version' },
];

/**
 * The options of `IMAGE_OPTIONS`, `INSPECTOR_OPTIONS`, `GENERAL_OPTIONS` and `--ci-config`,
 * validated. Throws UsageError with one line.
 */
export function parseImageOptions(v: OptionValues): ImageOptions {
  const platform = stringOf(v, 'platform');
  const tlsVerify = stringOf(v, 'tls-verify');
  const username = stringOf(v, 'username');
  const passwordStdin = flagOf(v, 'password-stdin');
  if (passwordStdin && !username) throw new UsageError('--password-stdin needs --username');
  const theme = stringOf(v, 'theme') as ThemeName | undefined;
  return {
    ...(platform !== undefined ? { platform: parsePlatform(platform) } : {}),
    source: stringOf(v, 'source') as ImageOptions['source'],
    namespace: stringOf(v, 'namespace'),
    username,
    passwordStdin,
    caCerts: listOf(v, 'ca-cert'),
    insecure: flagOf(v, 'insecure') || tlsVerify === 'false',
    quiet: flagOf(v, 'quiet'),
    debug: flagOf(v, 'debug'),
    noCache: flagOf(v, 'no-cache'),
    noVerify: flagOf(v, 'no-verify'),
    noPackages: flagOf(v, 'no-packages'),
    ciConfig: stringOf(v, 'ci-config'),
    config: stringOf(v, 'config'),
    ...(theme !== undefined ? { theme } : {}),
    noMouse: flagOf(v, 'no-mouse'),
  };
}

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
 * Parses the default command's argv (without node and script) and the environment into
 * Options, from `INSPECT_OPTIONS`. Throws UsageError with one line for anything wrong.
 */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Options {
  const { values: v, operands } = parseOptions(argv, INSPECT_OPTIONS, '', 'see --help');
  const ruleOverrides: Partial<Record<RuleName, number | 'disabled'>> = {};
  for (const name of RULE_NAMES) {
    const raw = stringOf(v, name);
    if (raw !== undefined) ruleOverrides[name] = parseRuleValue(name, raw, `--${name}`);
  }
  const findingRaw = stringOf(v, 'highestFindingBytes');
  const findingTotal = findingRaw === undefined ? undefined : parseFindingBytes(findingRaw, '--highestFindingBytes');
  const baseRaw = stringOf(v, 'base-layers');
  if (baseRaw !== undefined && !/^\d+$/.test(baseRaw)) throw new UsageError(`--base-layers "${baseRaw}" is not a number of layers`);
  const image = parseImageOptions(v);
  const help = flagOf(v, 'help');
  const version = flagOf(v, 'version');
  const reports = listOf(v, 'report');
  if (!help && !version && operands.length === 0) throw new UsageError('no image given (see --help)');
  // --report asks for a verdict: it implies --ci
  const ci = flagOf(v, 'ci') || env.CI === 'true' || reports.length > 0;
  if (!ci && operands.length > 1 && !help && !version) throw new UsageError('the inspector opens one image at a time; several images are for --ci');
  if (image.passwordStdin && operands.includes('-')) throw new UsageError('--password-stdin and an image on stdin (-) cannot both read stdin');
  return {
    ...image,
    images: operands,
    ci,
    json: stringOf(v, 'json'),
    jsonFormat: (stringOf(v, 'json-format') ?? 'inspect-tui') as Options['jsonFormat'],
    reports: parseReportSpecs(reports, env),
    ruleOverrides,
    ...(findingTotal !== undefined ? { findingTotal } : {}),
    ...(baseRaw !== undefined ? { baseLayers: Number(baseRaw) } : {}),
    ...(stringOf(v, 'dockerfile') !== undefined ? { dockerfile: stringOf(v, 'dockerfile') } : {}),
    ignoreErrors: flagOf(v, 'ignore-errors'),
    help,
    version,
  };
}
