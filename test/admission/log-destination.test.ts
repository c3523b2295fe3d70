// The stdout destination hands pino its lines in batches; nothing may be lost when the process ends
// right after logging, whichever way it ends, and no line waits for the process to end.
import { spawn, spawnSync } from 'node:child_process';
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

  it('writes lines while the process lives, not only when it ends', async () => {
    // the child logs, logs again a moment later, then waits for its stdin to close
    const script = `import { createLogger } from ${JSON.stringify(LOG_MODULE)};\nconst logger = createLogger();\nlogger.info('a'); setTimeout(() => { for (let i = 0; i < 3; i++) logger.info('b' + i); }, 2); process.stdin.resume();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const messages = await new Promise<string[]>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const lines = out.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { msg: string }).msg);
        if (lines.length === 4) resolve(lines);
      });
    });
    child.stdin.end();
    expect(messages).toEqual(['a', 'b0', 'b1', 'b2']);
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
  });
});
