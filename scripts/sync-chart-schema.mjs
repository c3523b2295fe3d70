// Copies src/config/config.schema.json into the chart's values.schema.json (properties.config),
// so `helm install` refuses what `serve` refuses. A test checks the two stay equal.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const valuesPath = new URL('charts/netguard/values.schema.json', root);
const values = JSON.parse(readFileSync(valuesPath, 'utf8'));
values.properties.config = JSON.parse(readFileSync(new URL('src/config/config.schema.json', root), 'utf8'));
writeFileSync(valuesPath, `${JSON.stringify(values, null, 2)}\n`);
