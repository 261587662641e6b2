/**
 * Writes the crafted golden captures to collector/testdata/crafted/ (or the directory given
 * as the first argument): npm run build:tools -w collector && node collector/dist-tools/test/synth/make-crafted-captures.js
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COLLECTOR_DIR } from '../support/run-cli';
import { craftedCaptures } from './crafted-captures';

export function writeCraftedCaptures(dir: string): Array<{ file: string; bytes: number; frames: number }> {
  mkdirSync(dir, { recursive: true });
  return craftedCaptures().map((c) => {
    const bytes = c.build();
    writeFileSync(join(dir, c.file), bytes);
    return { file: c.file, bytes: bytes.length, frames: c.frames };
  });
}

if (require.main === module) {
  const dir = resolve(process.argv[2] ?? join(COLLECTOR_DIR, 'testdata', 'crafted'));
  for (const r of writeCraftedCaptures(dir))
    process.stdout.write(`${join(dir, r.file)}: ${r.frames} frames, ${r.bytes} bytes\n`);
}
