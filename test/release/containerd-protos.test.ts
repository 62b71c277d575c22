import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fromJSON, loadSync, type MessageTypeDefinition, type MethodDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { PROTO_FILES, PROTO_OPTIONS } from '../../src/sources/containerd/client.js';
import { ROOT } from '../helpers/image-files.js';

/** The JSON descriptor the single executable carries instead of proto/ (scripts/build-sea.mjs). */
function seaDescriptor(): unknown {
  const script = `import { containerdProtoJson } from ${JSON.stringify(path.join(ROOT, 'scripts', 'build-sea.mjs'))}; process.stdout.write(await containerdProtoJson());`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 }));
}

const isMethod = (d: unknown): d is MethodDefinition<object, unknown> => typeof (d as { path?: unknown }).path === 'string';

describe("the single executable's containerd protos", () => {
  it('define what loading proto/ defines: every service, method and message, serialised alike', () => {
    const files = loadSync(PROTO_FILES, { includeDirs: [path.join(ROOT, 'proto')], ...PROTO_OPTIONS });
    const json: PackageDefinition = fromJSON(seaDescriptor() as Parameters<typeof fromJSON>[0], PROTO_OPTIONS);
    expect(Object.keys(json).sort()).toEqual(Object.keys(files).sort());
    let methods = 0;
    for (const [name, def] of Object.entries(files)) {
      const other = json[name]!;
      if ('format' in def) {
        // a message or an enum: the same descriptor
        expect((other as MessageTypeDefinition<object, object>).type, name).toEqual((def as MessageTypeDefinition<object, object>).type);
        continue;
      }
      for (const [m, method] of Object.entries(def)) {
        if (!isMethod(method)) continue;
        const twin = (other as Record<string, MethodDefinition<object, unknown>>)[m]!;
        expect([twin.path, twin.requestStream, twin.responseStream], `${name}.${m}`).toEqual([method.path, method.requestStream, method.responseStream]);
        // a request written by one is read back the same by the other
        const sample = { name: 'docker.io/library/busybox:latest', filters: ['name==x'], digest: 'sha256:00', offset: 5, size: 7 };
        const bytes = method.requestSerialize(sample);
        expect(Buffer.from(twin.requestSerialize(sample)), `${name}.${m}`).toEqual(Buffer.from(bytes));
        expect(twin.requestDeserialize(bytes), `${name}.${m}`).toEqual(method.requestDeserialize(bytes));
        methods++;
      }
    }
    expect(methods).toBeGreaterThanOrEqual(6); // Images Get/List, Content Info/Read, Namespaces List, Version
  });
});
