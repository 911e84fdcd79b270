// Loaded with `node --import bench/lib/trace-hook.mjs dist/cli.js ...` in the bench's traced
// runs only. It changes no behaviour: it wraps net.Socket#connect and child_process.spawn to
// note when each connection / child process begins and ends, and at exit writes those events,
// the process's own timings and its VmHWM (peak RSS) as JSON to $BENCH_TRACE_FILE.
// It never adds a 'data' listener (that would consume the program's input).
import childProcess from 'node:child_process';
import fs from 'node:fs';
import module from 'node:module';
import net from 'node:net';

const out = process.env.BENCH_TRACE_FILE;
const events = [];
const now = () => Math.round(performance.now() * 10) / 10; // ms since this process started
const hookLoadedMs = now();

if (out) {
  const origConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function tracedConnect(...args) {
    const opts = args[0];
    let target;
    if (typeof opts === 'object' && opts !== null && !Array.isArray(opts))
      target = opts.path ?? `${opts.host ?? 'localhost'}:${opts.port}`;
    else if (Array.isArray(opts)) target = String(opts[0]?.path ?? `${opts[0]?.host ?? ''}:${opts[0]?.port}`);
    else if (typeof opts === 'string') target = opts;
    else target = `${args[1] ?? 'localhost'}:${opts}`;
    const ev = { kind: 'socket', target, start: now() };
    events.push(ev);
    this.once('connect', () => (ev.connected = now()));
    this.once('close', () => (ev.end = now()));
    return origConnect.apply(this, args);
  };

  const origSpawn = childProcess.spawn;
  childProcess.spawn = function tracedSpawn(file, args, ...rest) {
    const argv = [file, ...(Array.isArray(args) ? args : [])];
    const ev = { kind: 'spawn', argv: argv.slice(0, 6).map(String), start: now() };
    events.push(ev);
    const child = origSpawn.call(this, file, args, ...rest);
    child.once('exit', () => (ev.end = now()));
    return child;
  };
  // ESM named imports of builtins (execa's `import { spawn } from 'node:child_process'`) see the patch.
  module.syncBuiltinESMExports();

  process.on('exit', (code) => {
    let vmHwmKB;
    try {
      vmHwmKB = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
    } catch {
      // Not Linux.
    }
    const doc = { hookLoadedMs, exitMs: now(), exitCode: code, vmHwmKB, events };
    try {
      fs.writeFileSync(out, JSON.stringify(doc));
    } catch {
      // The bench reports a missing trace.
    }
  });
}
