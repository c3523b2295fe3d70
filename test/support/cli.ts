// The real `netguard` run as a user runs it in a checkout: a temporary tree holding config.yaml and
// manifests, and `netguard COMMAND --config config.yaml ARGS…` in it.
import { netguardAsync, tempTree, type CliResult } from '../cli/run.js';

export interface ConfigTree {
  /** the tree; every run's working directory */
  cwd: string;
  /** `netguard COMMAND --config config.yaml ARGS…` in the tree; `input` goes to stdin */
  run(command: string, args: readonly string[], options?: { input?: string }): Promise<CliResult>;
}

/** A temporary tree with `config` as config.yaml beside `files` (relative path → content). */
export function configTree(config: string, files: Record<string, string> = {}): ConfigTree {
  const cwd = tempTree({ 'config.yaml': config, ...files });
  return {
    cwd,
    run: (command, args, options = {}) => netguardAsync([command, '--config', 'config.yaml', ...args], { cwd, ...options }),
  };
}
