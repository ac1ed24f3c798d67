// `NODE_OPTIONS=--import=<this file>` with CPU_PROFILE_DIR set: records a V8 CPU profile of the whole process and
// writes it there when the process exits (Node 20 refuses --cpu-prof in NODE_OPTIONS). Used by gateway.bench.ts.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // An in-thread inspector session answers synchronously, so this completes inside the 'exit' handler.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
