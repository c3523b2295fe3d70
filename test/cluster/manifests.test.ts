import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileObjects, parseManifestText, readManifests } from '../../src/cluster/manifests.js';
import { tempTree } from '../cli/run.js';

const pod = (name: string, extra = '') => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${extra}`;

/** Names of the objects one text yields, and the notes it gives. */
function read(text: string, file: string): { objects: unknown[]; notes: string[] } {
  const notes: string[] = [];
  const objects = [...fileObjects(text, file, (note) => notes.push(note))].map((o) => o.object.metadata?.name);
  return { objects, notes };
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('parsing one file', () => {
  it('gives each document its first content line, and List items their List line', () => {
    const text = `# header\n---\n\n${pod('a')}---\n# note\n${pod('b')}---\napiVersion: v1\nkind: List\nitems:\n- ${pod('c').replace(/\n/g, '\n  ')}\n`;
    const objects = parseManifestText(text, 'f.yaml');
    expect(objects.map((o) => [o.object.metadata?.name, o.line, o.source])).toEqual([
      ['a', 4, 'f.yaml:4'],
      ['b', 10, 'f.yaml:10'],
      ['c', 15, 'f.yaml:15'],
    ]);
    expect(objects[2]!.origin.path).toEqual(['items', 0]);
    expect(text.slice(objects[1]!.origin.start)).toMatch(/^apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n/);
  });

  it('keeps lines right across document end markers (`...`), directives and `--- ` with content', () => {
    const text = `${pod('a')}...\n${pod('b')}...\n%YAML 1.2\n---\n${pod('c')}--- {apiVersion: v1, kind: Pod, metadata: {name: d}}\n`;
    expect(parseManifestText(text, 'f.yaml').map((o) => [o.object.metadata?.name, o.line])).toEqual([
      ['a', 1],
      ['b', 6],
      ['c', 13],
      ['d', 17],
    ]);
  });

  it('reads a `---` inside a block scalar only where YAML allows it (indented)', () => {
    const text = `${pod('a')}  annotations:\n    note: |\n      ---\n      text\n---\n${pod('b')}`;
    expect(parseManifestText(text, 'f.yaml').map((o) => o.object.metadata?.name)).toEqual(['a', 'b']);
  });

  it('reads an anchor used 150 times, as kubectl does', () => {
    const uses = Array.from({ length: 150 }, (_, i) => `    k${i}: *v`).join('\n');
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many\n  labels:\n    base: &v shared\ndata:\n${uses}\n`;
    const [object] = parseManifestText(text, 'many.yaml');
    expect((object!.object['data'] as Record<string, string>)['k149']).toBe('shared');
  });

  it('refuses a billion laughs, naming the file and line', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  ${levels.join('\n  ')}\n`;
    expect(errorOf(() => parseManifestText(text, 'lol.yaml'))).toMatch(/^lol\.yaml:1: YAML aliases expand this document to more than 1,000,000 nodes/);
  });

  it('refuses a recursive alias, naming the file', () => {
    expect(errorOf(() => parseManifestText(`${pod('a')}spec: &s\n  x: *s\n`, 'r.yaml'))).toBe(
      'r.yaml:1: not valid YAML: an alias refers to a node that contains it',
    );
  });

  it('names file:line of a YAML error with the parser reason only (no snippet, no dangling colon)', () => {
    const message = errorOf(() => parseManifestText(`${pod('a')}---\n${pod('b')}spec:\n  x: 1\n   y: 2\n`, 'bad.yaml'));
    expect(message).toBe('bad.yaml:12: not valid YAML: bad indentation of a mapping entry');
  });

  it('refuses a mapping used as a key, naming the file and line (kubectl cannot read it either)', () => {
    expect(errorOf(() => parseManifestText(`${pod('a')}---\n${pod('b')}spec:\n  {x: 1}: y\n`, 'k.yaml'))).toBe(
      'k.yaml:6: not valid YAML: a mapping is used as a key (a Kubernetes object, like JSON, has only text keys)',
    );
  });

  it('reads merge keys as kubectl does', () => {
    const [object] = parseManifestText(`${pod('a')}spec:\n  base: &b {x: 1}\n  merged:\n    <<: *b\n    y: 2\n`, 'f.yaml');
    expect(object!.object['spec']).toMatchObject({ merged: { x: 1, y: 2 } });
  });

  it('skips files that are not Kubernetes manifests, with a note naming them', () => {
    expect(read('apiVersion: v2\nname: chart\nversion: 1.0.0\n', 'Chart.yaml')).toEqual({
      objects: [],
      notes: ['Chart.yaml: not a Kubernetes manifest (no apiVersion/kind): skipped'],
    });
    expect(read('replicas: 3\n', 'values.yaml').notes).toEqual([expect.stringMatching(/values\.yaml: not a Kubernetes manifest/)]);
    expect(read('resources: [a.yaml]\n', 'base/kustomization.yaml').notes).toEqual([expect.stringMatching(/kustomize build/)]);
    expect(read('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n', 'k.yaml').notes).toEqual([expect.stringMatching(/kustomize build/)]);
    const chart = tempTree({ 'web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n' });
    const template = join(chart, 'web/templates/pod.yaml');
    expect(read(`${pod('{{ .Values.name }}')}`, template).notes).toEqual([expect.stringMatching(/Helm template.*helm template/)]);
  });

  it('skips a Helm template whole, though its first documents are YAML', () => {
    const text = `${pod('fixed')}---\n{{- if .Values.extra }}\n${pod('extra')}{{- end }}\n`;
    const chart = tempTree({ 'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n' });
    const template = join(chart, 'templates/sub/pods.yaml');
    expect(read(text, template)).toEqual({ objects: [], notes: [`${template}: a Helm template, not manifests: skipped; to check what it renders, run \`helm template … | netguard check … -\``] });
  });

  it('skips for not parsing only a chart\'s templates: elsewhere `{{` cannot hide the manifests before a YAML error', () => {
    // kubectl may still apply the Pod before the broken document; check must not pass the file by
    const text = `${pod('fixed')}# owner: {{ .Values.owner }}\n---\n${pod('broken')}  labels: [unclosed\n`;
    expect(errorOf(() => read(text, 'apps/pods.yaml'))).toMatch(/^apps\/pods\.yaml:\d+: not valid YAML: .*; if it is a Helm template, to check what it renders, run `helm template/);
    // templates/ without a Chart.yaml above it is not a chart
    const loose = tempTree({});
    expect(errorOf(() => read(text, join(loose, 'templates/pods.yaml')))).toMatch(/not valid YAML/);
  });

  it('reads a file whose block scalars hold Go templates (alert rules), and skips a kustomization among documents', () => {
    const rules = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts\ndata:\n  rules.yaml: |\n    summary: "{{ $labels.instance }} is down"\n`;
    expect(read(`${pod('a')}---\n${rules}`, 'alerts.yaml').objects).toEqual(['a', 'alerts']);
    expect(read(`${pod('a')}---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n`, 'k.yaml')).toEqual({
      objects: [],
      notes: [expect.stringMatching(/^k\.yaml: a kustomization/)],
    });
  });

  it('refuses a document without apiVersion/kind among Kubernetes objects (a typo, not another file kind)', () => {
    expect(errorOf(() => parseManifestText(`${pod('a')}---\nkin: Pod\n`, 'f.yaml'))).toMatch(/^f\.yaml:6: document is not a Kubernetes object/);
  });
});

describe('reading paths', () => {
  it('leaves out hidden directories and --exclude globs, and reads symlinked directories once', () => {
    const dir = tempTree({
      'apps/a.yaml': pod('a'),
      'apps/charts/c.yaml': pod('c'),
      'apps/ci/x.yaml': pod('x'),
      '.github/workflows/w.yaml': pod('hidden'),
      'b.yml': pod('b'),
    });
    mkdirSync(join(dir, 'apps/nested'));
    symlinkSync('../..', join(dir, 'apps/nested/root'));
    symlinkSync('apps', join(dir, 'more'));
    symlinkSync('missing', join(dir, 'dangling.yaml'));
    const notes: string[] = [];
    const names = readManifests([dir], { exclude: ['charts', 'apps/ci/**'], onNote: (n) => notes.push(n) }).map((o) => o.object.metadata?.name);
    expect(names).toEqual(['a', 'b']);
    expect(notes).toEqual([
      `${join(dir, 'apps/nested/root')}: symbolic link back to ${dir}, which is being read (a loop); not followed again`,
      `${join(dir, 'dangling.yaml')}: skipped, a symbolic link to nothing`,
      `${join(dir, 'more')}: skipped, the same directory as ${join(dir, 'apps')} (read once)`,
    ]);
  });

  it('reads a file once, however it is reached: a file link, a linked directory, or a path given again', () => {
    const dir = tempTree({ 'apps/a.yaml': pod('a'), 'other/b.yaml': pod('b') });
    symlinkSync('../apps/a.yaml', join(dir, 'other/link-to-a.yaml'));
    symlinkSync('apps', join(dir, 'linked-apps'));
    const notes: string[] = [];
    const names = readManifests([join(dir, 'other'), join(dir, 'linked-apps'), join(dir, 'apps/a.yaml')], { onNote: (n) => notes.push(n) });
    expect(names.map((o) => o.object.metadata?.name)).toEqual(['b', 'a']);
    expect(notes).toEqual([
      `${join(dir, 'linked-apps/a.yaml')}: skipped, the same file as ${join(dir, 'other/link-to-a.yaml')} (read once)`,
      `${join(dir, 'apps/a.yaml')}: skipped, the same file as ${join(dir, 'other/link-to-a.yaml')} (read once)`,
    ]);
  });

  it('reads UTF-8 text beside ASCII files alike', () => {
    const dir = tempTree({ 'a.yaml': pod('a'), 'b.yaml': `${pod('b')}  annotations:\n    note: "café ✓ — ok"\n` });
    const objects = readManifests([dir]);
    expect(objects.map((o) => o.object.metadata?.name)).toEqual(['a', 'b']);
    expect(objects[1]!.object.metadata?.annotations).toEqual({ note: 'café ✓ — ok' });
  });

  it('names a path that does not exist', () => {
    expect(errorOf(() => readManifests(['/nonexistent/manifests']))).toMatch(/^\/nonexistent\/manifests: cannot read: /);
  });
});
