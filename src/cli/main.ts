#!/usr/bin/env node
// The `netguard` command: parses arguments and hands each subcommand to its module. Usage errors
// (commander's and ours) exit 2, like every other bad-input case; subcommands choose 0 or 1.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { NetguardError, errorText } from '../errors.js';
import { LOG_LEVELS } from '../log-levels.js';
import { closest } from '../util/suggest.js';
import { AUDIT_OUTPUTS } from '../audit/outputs.js';
import type { AuditOptions } from './audit.js';
import type { CertsOptions } from './certs.js';
import type { CheckOptions } from './check.js';
import type { FixOptions } from './fix.js';
import type { ReachOptions } from './reach.js';
import type { ServeOptions } from './serve.js';
import type { WritersOptions } from './writers.js';

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  };
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** package.json's version, found from dist/src/cli or src/cli alike. */
function version(): string {
  for (const up of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'netguard' && pkg.version) return pkg.version;
    } catch {
      // not at this level; try the next
    }
  }
  return '0.0.0';
}

/** Exit once stdout and stderr are flushed, so piped output is never cut short. */
function exitWith(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

function clusterStateOptions(
  command: Command,
  kubeconfig = 'read a live cluster through this kubeconfig',
  state = 'read the cluster state from the manifests in this directory (no cluster needed)',
): Command {
  return command
    .addOption(new Option('--kubeconfig <file>', kubeconfig).conflicts('state'))
    .addOption(new Option('--state <dir>', state).conflicts('kubeconfig'));
}

/**
 * `-o, --output`. `text` and `table` name the same human-readable format on every command, so
 * neither is an error where the other is the default.
 */
function outputOption(formats: readonly string[], fallback: string, what = 'output format'): Option {
  const human = formats.includes('table') ? 'table' : 'text';
  const alias = human === 'table' ? 'text' : 'table';
  return new Option('-o, --output <format>', `${what} (${alias} is the same as ${human})`)
    .argParser((value: string) => {
      const format = value === alias ? human : value;
      if (!formats.includes(format)) throw new InvalidArgumentError(`Allowed choices are ${[...new Set([...formats, alias])].join(', ')}.`);
      return format;
    })
    .default(fallback);
}

/**
 * Unknown flags are reported before missing required ones: `--confg x` is a typo of `--config`,
 * and "required option '--config' not specified" would hide it. Commander checks the other way
 * round, so the command's own flags are looked at first (values of flags that take one skipped).
 */
function unknownFlagsFirst(command: Command, args: readonly string[]): void {
  const known = command.options;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return;
    if (!arg.startsWith('-') || arg === '-') continue;
    const flag = arg.startsWith('--') ? arg.split('=')[0]! : arg.slice(0, 2);
    if (flag === '--help' || flag === '-h') return;
    const option = known.find((o) => o.long === flag || o.short === flag);
    if (!option) {
      const guess = flag.startsWith('--') ? closest(flag, known.flatMap((o) => (o.long ? [o.long] : []))) : undefined;
      command.error(`error: unknown option '${flag}'${guess ? `\n(Did you mean ${guess}?)` : ''}`, { code: 'commander.unknownOption' });
    }
    else if ((option.required || option.optional) && arg === flag) i++;
  }
}

function buildProgram(argv: readonly string[]): Command {
  const program = new Command('netguard')
    .description('Kubernetes validating admission webhook: NetworkPolicies and ServiceAccounts as one lock and key')
    .version(version(), '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .hook('preSubcommand', (_program, command) => unknownFlagsFirst(command, argv.slice(argv.indexOf(command.name()) + 1)));

  clusterStateOptions(
    program
      .command('serve')
      .description('serve POST /validate over HTTPS, plus /metrics, /healthz and /readyz on the metrics port')
      .requiredOption('--config <file>', 'netguard config (YAML), reloaded when it changes'),
  )
    .requiredOption('--tls-cert <file>', 'serving certificate (PEM), re-read when it changes')
    .requiredOption('--tls-key <file>', 'serving key (PEM), re-read when it changes')
    .option('--client-ca <file>', 'require client certificates signed by this CA (API server webhook client auth)')
    .option('--port <port>', 'HTTPS port', integer('--port', 0, 65535), 8443)
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--metrics-port <port>', 'plain-HTTP port for /metrics, /healthz, /readyz', integer('--metrics-port', 0, 65535), 9090)
    .option('--dry-run', 'never deny: would-be denials become warnings and audit annotations', false)
    .addOption(new Option('--log-level <level>', 'log level').choices([...LOG_LEVELS]).default('info'))
    .action(async (opts: ServeOptions) => {
      // each command loads its own modules: `check` never pays for the server or client-node
      const { runServe } = await import('./serve.js');
      await runServe(opts);
    });

  clusterStateOptions(
    program
      .command('check')
      .description('judge manifests offline (GitOps CI); exit 0 clean, 1 violations, 2 bad input')
      .requiredOption('--config <file>', 'netguard config (YAML)'),
    'add the cluster state (namespaces, policies, roles) the manifests build on, from a live cluster',
    'add the cluster state the manifests build on, from the manifests in this directory',
  )
    .option('--as <user>', 'judge every object as created by this user (enables the rules that judge the requester)')
    .option('--as-group <group>', 'a group of the --as user (repeatable)', collect)
    .option('--exclude <glob>', 'leave out files and directories matching this glob (repeatable; e.g. "charts", "ci/**")', collect)
    .option('-n, --namespace <ns>', 'namespace of objects without metadata.namespace', 'default')
    .addOption(outputOption(['text', 'json'], 'text'))
    .argument('<path...>', 'YAML/JSON files or directories of them; - reads stdin')
    .action(async (paths: string[], opts: Omit<CheckOptions, 'paths'>) => {
      const { runCheck } = await import('./check.js');
      exitWith(await runCheck({ ...opts, paths }));
    });

  clusterStateOptions(
    program
      .command('audit')
      .description('report violations of objects that already exist; exit 0 clean, 1 violations, 2 error')
      .requiredOption('--config <file>', 'netguard config (YAML)'),
  )
    .option('--context <name>', 'kubeconfig context to use instead of the current one')
    .option('-n, --namespace <ns>', 'audit this namespace only')
    .addOption(outputOption(AUDIT_OUTPUTS, 'table', 'output format; html writes one self-contained page'))
    .action(async (opts: AuditOptions) => {
      const { runAudit } = await import('./audit.js');
      exitWith(await runAudit(opts));
    });

  clusterStateOptions(
    program
      .command('reach')
      .description('which connections the NetworkPolicies allow (truth tables per port); exit 0 computed, 1 an expectation fails, 2 bad input')
      .option('--config <file>', 'netguard config (YAML): which other policy APIs to list as not modelled'),
  )
    .option('-n, --namespace <ns>', 'namespace of objects without metadata.namespace', 'default')
    .option('--from <endpoint>', 'sources: NAMESPACE/POD, NAMESPACE/KIND/NAME, NAMESPACE/*, * or an IP address', '*')
    .option('--to <endpoint>', 'destinations, as --from', '*')
    .option('--port <port>', 'PORT[/PROTOCOL] to ask about (repeatable; default: every container port of each destination)', collect)
    .option('--expect <file>', 'YAML list of {from, to, port, protocol?, allowed} to check; exit 1 when one fails')
    .addOption(outputOption(['text', 'json', 'html'], 'text'))
    .argument('[path...]', 'YAML/JSON files or directories of manifests')
    .action(async (paths: string[], opts: Omit<ReachOptions, 'paths'>) => {
      const { runReach } = await import('./reach.js');
      exitWith(await runReach({ ...opts, paths }));
    });

  clusterStateOptions(
    program
      .command('writers')
      .description('who holds network-policy write, by which path; exit 0 all provisioned, 1 otherwise, 2 error')
      .requiredOption('--config <file>', 'netguard config (YAML)'),
  )
    .option('--context <name>', 'kubeconfig context to use instead of the current one')
    .option('-n, --namespace <ns>', 'only grants that reach this namespace (its RoleBindings and every ClusterRoleBinding)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: WritersOptions) => {
      const { runWriters } = await import('./writers.js');
      exitWith(await runWriters(opts));
    });

  program
    .command('fix')
    .description('write the missing default-deny policies and dedicated ServiceAccounts as manifests; exit 0, 2 bad input')
    .requiredOption('--config <file>', 'netguard config (YAML)')
    .option('-n, --namespace <ns>', 'namespace of objects without metadata.namespace (and of their fixes)', 'default')
    .option('--out <dir>', 'write the fixes into this directory, one <namespace>.yaml per namespace')
    .option('--write', 'edit the given files in place (comments and formatting kept); new objects are appended', false)
    .argument('<path...>', 'YAML/JSON files or directories of them')
    .action(async (paths: string[], opts: Omit<FixOptions, 'paths'>) => {
      const { runFix } = await import('./fix.js');
      exitWith(runFix({ ...opts, paths }));
    });

  program
    .command('certs')
    .description('write ca.crt, tls.crt, tls.key for the webhook Service and print the base64 caBundle')
    .requiredOption('--out <dir>', 'directory to write to (created if needed)')
    .requiredOption('--service <name>', 'name of the webhook Service')
    .requiredOption('-n, --namespace <ns>', 'namespace of the webhook Service')
    .option('--days <days>', 'validity in days', integer('--days', 1, 36500), 365)
    .option('--force', 'replace existing ca.crt, tls.crt and tls.key (the API server then needs the new caBundle)', false)
    .addOption(new Option('--if-missing', 'keep an existing set of the three files, print no caBundle (npm start)').hideHelp())
    .action(async (opts: CertsOptions) => {
      const { runCerts } = await import('./certs.js');
      exitWith(await runCerts(opts));
    });

  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram(argv).parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message or the help. Its exit code is 0 only for help or
      // version asked for; every usage error becomes 2, like any other bad input.
      exitWith(error.exitCode === 0 ? 0 : 2);
    } else if (error instanceof NetguardError) {
      process.stderr.write(`error: ${error.message}\n`);
      exitWith(2);
    } else {
      // a message, never a stack trace: users report what they see, and a trace says nothing to them
      process.stderr.write(`error: unexpected failure: ${errorText(error)}\n`);
      exitWith(2);
    }
  }
}

await main(process.argv);
