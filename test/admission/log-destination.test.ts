// The stdout destination hands pino the lines of one event-loop turn at a time; nothing may be
// lost when the process ends right after logging, whichever way it ends.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOG_MODULE = fileURLToPath(new URL('../../dist/src/log.js', import.meta.url));

function run(body: string): string[] {
  const script = `import { createLogger } from ${JSON.stringify(LOG_MODULE)};\nconst logger = createLogger();\n${body}`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  return child.stdout.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { msg: string }).msg);
}

describe('the stdout log destination', () => {
  it('writes every line, in order, when the process ends on its own', () => {
    expect(run("for (let i = 0; i < 2000; i++) logger.info(`line ${i}`);")).toEqual(Array.from({ length: 2000 }, (_, i) => `line ${i}`));
  });

  it('writes the lines of the last turn when process.exit() is called right after them', () => {
    expect(run("logger.info('first'); logger.child({ component: 'x' }).warn('second'); process.exit(3);")).toEqual(['first', 'second']);
  });

  it('writes lines logged across several turns and timers', () => {
    const body = "logger.info('a'); setImmediate(() => { logger.info('b'); setTimeout(() => { logger.info('c'); process.exit(0); }, 5); });";
    expect(run(body)).toEqual(['a', 'b', 'c']);
  });
});
