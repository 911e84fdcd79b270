#!/usr/bin/env node
// lwaftrctl benchmarks on the lab (see bench/README.md). Plain ESM, no build step:
//   npm run bench [-- --runs N] [--fast-runs N] [--lab-runs N] [--name benchX] [--port 1006X] [--no-trace] [--wait-quiet S]
// Runs its own lab instance (NAME=bench, SSH on 127.0.0.1:10060 by default), prints a table and
// writes bench/results/latest.json. Cleans up after itself, even on failure or Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(BENCH);
// The CLI is run from a snapshot of dist/ (taken when dist has been still for 3 s): others in this
// repository rebuild dist/ while the bench runs, and a half-written dist/ fails in odd ways.
const SNAPSHOT = path.join(BENCH, 'results', '.cli-snapshot');
const CLI = path.join(SNAPSHOT, 'dist', 'cli.js');
const LAB = path.join(REPO, 'lab');
const RESULTS = path.join(BENCH, 'results');
const TRACE_HOOK = path.join(BENCH, 'lib', 'trace-hook.mjs');
const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((f) => fs.existsSync(f));
const GUEST_PCIS = ['0000:00:08.0', '0000:00:09.0'];

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const o = {
    fastRuns: 5,
    labRuns: 3,
    name: 'bench',
    port: 10060,
    trace: true,
    waitQuiet: 0,
    out: path.join(RESULTS, 'latest.json'),
  };
  const num = (v, flag) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) usage(`${flag} wants a whole number >= 1, not "${v}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = () => inline ?? argv[++i] ?? usage(`${flag} wants a value`);
    switch (flag) {
      case '--runs': {
        const n = num(value(), flag);
        o.fastRuns = n;
        o.labRuns = n;
        break;
      }
      case '--fast-runs':
        o.fastRuns = num(value(), flag);
        break;
      case '--lab-runs':
        o.labRuns = num(value(), flag);
        break;
      case '--name':
        o.name = value();
        if (!/^bench[A-Za-z0-9_-]*$/.test(o.name)) usage('--name must start with "bench"');
        break;
      case '--port':
        o.port = num(value(), flag);
        if (o.port < 10060 || o.port > 10069) usage('--port must be in 10060-10069');
        break;
      case '--wait-quiet':
        o.waitQuiet = Number(value());
        if (!Number.isFinite(o.waitQuiet) || o.waitQuiet < 0) usage('--wait-quiet wants seconds');
        break;
      case '--floor-variants':
        o.floorVariants = true;
        break;
      case '--no-trace':
        o.trace = false;
        break;
      case '--out':
        o.out = path.resolve(value());
        break;
      case '-h':
      case '--help':
        process.stdout.write(
          'usage: node bench/run-bench.mjs [--runs N] [--fast-runs N (default 5)] [--lab-runs N (default 3)]\n' +
            '                               [--name bench...] [--port 10060-10069] [--no-trace] [--wait-quiet SECONDS] [--out FILE]\n' +
            '       node bench/run-bench.mjs --floor-variants [--lab-runs N]   (diagnostic: floor unpinned vs vCPU pinned, alternating)\n' +
            '--runs sets both counts. --no-trace skips the two extra status runs under bench/lib/trace-hook.mjs.\n' +
            '--wait-quiet: before each section, wait up to SECONDS for other labs/tests on this machine to finish (default 0).\n' +
            'Results: a table on stdout, JSON in bench/results/latest.json.\n',
        );
        process.exit(0);
        break; // not reached: process.exit does not return
      default:
        usage(`unknown option ${a}`);
    }
  }
  return o;
}

function usage(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const hr = () => Number(process.hrtime.bigint()) / 1e6; // monotonic ms
const log = (line) => process.stderr.write(`bench: ${line}\n`);
/** Set on Ctrl-C / SIGTERM: from then on only the clean-up starts programs. */
let stopping = false;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function summarize(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return { n: 0 };
  return { n: v.length, median: median(v), min: Math.min(...v), max: Math.max(...v), samples: v };
}

/**
 * Runs a program, optionally under GNU time (peak RSS) and the trace hook, and measures its wall
 * time from just before spawn to its exit. Never throws for a non-zero exit.
 */
function run(
  argv,
  { timeoutMs = 120_000, env = {}, measureRss = true, traceFile: wantTrace, duringCleanup = false } = {},
) {
  let traceFile = wantTrace;
  return new Promise((resolve) => {
    if (stopping && !duringCleanup)
      return resolve({
        ms: 0,
        code: 130,
        signal: undefined,
        stdout: '',
        stderr: 'bench: interrupted\n',
        startedAtEpoch: Date.now(),
      });
    const rssFile =
      measureRss && GNU_TIME
        ? path.join(os.tmpdir(), `bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`)
        : undefined;
    // Without GNU time, node's own VmHWM from the trace hook (which costs ~40 ms of start-up).
    if (measureRss && !GNU_TIME && !traceFile && argv[0] === process.execPath)
      traceFile = path.join(os.tmpdir(), `bench-hwm-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
    let full = argv;
    if (traceFile && argv[0] === process.execPath) full = [argv[0], '--import', TRACE_HOOK, ...argv.slice(1)];
    if (rssFile) full = [GNU_TIME, '-f', '%M', '-o', rssFile, ...full];
    const startedAtEpoch = Date.now();
    const t0 = hr();
    const child = spawn(full[0], full.slice(1), {
      cwd: REPO,
      env: { ...process.env, ...env, ...(traceFile ? { BENCH_TRACE_FILE: traceFile } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\nbench: killed after ${timeoutMs} ms\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      const ms = hr() - t0;
      clearTimeout(timer);
      let maxRssKB;
      if (rssFile) {
        try {
          const lines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
          maxRssKB = Number(lines[lines.length - 1]) || undefined;
        } catch {
          // time did not write it (killed).
        }
        fs.rmSync(rssFile, { force: true });
      }
      let trace;
      if (traceFile) {
        try {
          trace = JSON.parse(fs.readFileSync(traceFile, 'utf8'));
        } catch {
          trace = undefined;
        }
        fs.rmSync(traceFile, { force: true });
      }
      if (maxRssKB === undefined && trace?.vmHwmKB) maxRssKB = trace.vmHwmKB;
      resolve({
        ms,
        startHr: t0,
        endHr: t0 + ms,
        code: code ?? (signal ? 128 : -1),
        signal,
        stdout,
        stderr,
        maxRssKB,
        startedAtEpoch,
        trace,
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The bench's lab instance

function makeInstance(o) {
  fs.mkdirSync(RESULTS, { recursive: true });
  const conf = path.join(RESULTS, `${o.name}.conf`);
  const text = fs
    .readFileSync(path.join(REPO, 'conf', 'lab.conf'), 'utf8')
    .replace(/^NAME=.*$/m, `NAME=${o.name}`)
    .replace(/^VM_SSH_PORT=.*$/m, `VM_SSH_PORT=${o.port}`)
    .replace(/=\.\.\//g, `=${REPO}/`);
  fs.writeFileSync(conf, `# Written by bench/run-bench.mjs from conf/lab.conf; overwritten on every run.\n${text}`);
  const stateDir = `/run/lwaftrctl/${o.name}`;
  const traceDir = fs.mkdtempSync(path.join(os.tmpdir(), `${o.name}-trace-`));
  let traceSeq = 0;
  const inst = {
    name: o.name,
    port: o.port,
    conf,
    stateDir,
    toolLog: path.join(stateDir, 'lwaftrctl.log'),
    traceDir,
    /** lwaftrctl -f CONF ...args, timed. */
    cli: (args, opts = {}) =>
      run([process.execPath, CLI, '-f', conf, ...args], {
        ...opts,
        traceFile: opts.trace ? path.join(traceDir, `t${++traceSeq}.json`) : undefined,
      }),
    sshControl: path.join(os.tmpdir(), `${o.name}-ssh-${o.port}`),
  };
  return inst;
}

function sshArgv(inst, command, extra = []) {
  return [
    'ssh',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${LAB}/keys/known_hosts`,
    '-o',
    'ConnectTimeout=5',
    '-o',
    `ControlPath=${inst.sshControl}`,
    ...extra,
    '-i',
    `${LAB}/keys/id_ed25519`,
    '-p',
    String(inst.port),
    'root@127.0.0.1',
    ...(command === undefined ? [] : [command]),
  ];
}

/** One SSH connection to the guest, kept open (our child, in the foreground) for the link polls to share. */
async function openSshMaster(inst) {
  closeSshMaster(inst);
  fs.rmSync(inst.sshControl, { force: true });
  const argv = sshArgv(inst, undefined, ['-o', 'ControlMaster=yes', '-N']);
  const child = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
  child.on('error', () => undefined);
  inst.sshMaster = child;
  const until = Date.now() + 10_000;
  while (!fs.existsSync(inst.sshControl) && child.exitCode === null && Date.now() < until) await sleep(20);
}

/** Both guest vhost-user NICs' link bits (legacy virtio-net config status, bit 0), as test/helpers/lab.ts reads them. */
async function guestLinks(inst) {
  const cmd = GUEST_PCIS.map(
    (pci) => `dd if=/sys/bus/pci/devices/${pci}/resource0 bs=1 skip=26 count=1 2>/dev/null | od -An -tu1`,
  ).join('; ');
  const r = await run(sshArgv(inst, cmd, ['-o', 'ControlMaster=no']), { measureRss: false, timeoutMs: 15_000 });
  const vals = r.stdout.trim().split(/\s+/).map(Number);
  if (r.code !== 0 || vals.length !== 2 || vals.some((v) => !Number.isFinite(v))) return undefined;
  return vals.map((v) => (v & 1) === 1);
}

function closeSshMaster(inst) {
  const child = inst.sshMaster;
  inst.sshMaster = undefined;
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  fs.rmSync(inst.sshControl, { force: true });
}

/** Pids (not ours) whose command line mentions the instance's state folder: its QEMU, screens, backends. */
function processesOf(inst) {
  const pids = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(`${inst.stateDir}/`) || cmd.includes(`hostfwd=tcp:127.0.0.1:${inst.port}-`))
        pids.push({ pid: Number(d), cmd: cmd.split('\0').join(' ').slice(0, 120) });
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killAndWait(pid, ms = 5000) {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + ms;
  while (isAlive(pid) && Date.now() < until) await sleep(20);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
    while (isAlive(pid)) await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------
// The floor: lwaftrctl's exact QEMU argv, cont at once, the SSH banner polled as tightly as possible

/** Connects to QMP as soon as the socket exists; greeting, qmp_capabilities, cont. Resolves with times. */
async function qmpCont(socketPath, t0, deadline, isUp, pinCores) {
  for (;;) {
    if (hr() > deadline) throw new Error('floor: QMP did not answer in time');
    if (!isUp()) throw new Error('floor: QEMU exited during start-up');
    const r = await new Promise((resolve) => {
      const s = net.createConnection(socketPath);
      let buf = '';
      let stage = 0;
      let qmpAt;
      s.on('error', () => resolve(undefined));
      s.on('close', () => resolve(undefined));
      s.setEncoding('utf8');
      s.on('data', (d) => {
        buf += d;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const msg = JSON.parse(line);
          if (stage === 0 && msg.QMP) {
            qmpAt = hr() - t0;
            stage = 1;
            s.write('{"execute":"qmp_capabilities"}\n');
          } else if (stage === 1 && 'return' in msg) {
            // Variant only: pin the vCPU threads as lwaftrctl does before it sends cont.
            stage = pinCores ? 10 : 2;
            s.write(pinCores ? '{"execute":"query-cpus-fast"}\n' : '{"execute":"cont"}\n');
          } else if (stage === 10 && 'return' in msg) {
            for (const cpu of msg.return)
              spawnSync('taskset', ['-pc', pinCores.join(','), String(cpu['thread-id'])], { stdio: 'ignore' });
            stage = 2;
            s.write('{"execute":"cont"}\n');
          } else if (stage === 2 && 'return' in msg) {
            const contAt = hr() - t0;
            s.removeAllListeners('close');
            s.destroy();
            resolve({ qmpAt, contAt });
          } else if ('error' in msg) {
            s.destroy();
          }
        }
      });
    });
    if (r) return r;
    await sleep(5);
  }
}

/**
 * The SSH banner, polled as tightly as is useful, one connection at a time. Slirp accepts every
 * connection at once and sends its own SYN to the guest. While the guest's NIC is down that SYN is
 * lost and slirp would resend it only seconds later, so until the guest has once answered, a
 * connection silent for 300 ms is dropped and a new one made at once. Once the guest has answered
 * (it resets connections while sshd does not listen yet), a connection is given 3 s for its
 * banner, since under TCG dropbear may take a while to fork and greet; the next one starts 5 ms
 * after a reset. (A trial with many connections at once was worse: their queued SYNs all reached
 * dropbear when it started, it forked a child for each, and the guest's boot slowed by seconds.
 * Up to 3 at once, kept 2 s each, still missed the moment by up to 2 s now and then.)
 */
async function firstBanner(port, t0, deadline) {
  let guestAnswered = false;
  for (;;) {
    if (hr() > deadline) throw new Error('floor: no SSH banner in time');
    const began = hr();
    const r = await new Promise((resolve) => {
      const s = net.createConnection({ host: '127.0.0.1', port });
      let data = '';
      const done = (v) => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(guestAnswered ? 3000 : 300, () => done('silent'));
      s.on('data', (d) => {
        data += d.toString('latin1');
        if (data.startsWith('SSH-')) done('banner');
        else if (data.length >= 4) done('other');
      });
      s.on('error', () => done('closed'));
      s.on('close', () => done('closed'));
    });
    if (r === 'banner') return hr() - t0;
    // Closed well before the timeout: the guest (not slirp's silence) ended it.
    if (r === 'closed' && hr() - began < 250) guestAnswered = true;
    await sleep(5);
  }
}

/** The guest console's kernel timestamps: the last one, and the three longest silences before a line. */
function consoleSummary(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
  const stamped = [...text.matchAll(/^\[\s*(\d+\.\d+)\]\s?(.*)$/gm)].map((m) => ({
    t: Number(m[1]),
    line: m[2].trim().slice(0, 70),
  }));
  if (stamped.length === 0) return undefined;
  const gaps = stamped.slice(1).map((x, i) => ({ s: Math.round((x.t - stamped[i].t) * 100) / 100, before: x.line }));
  gaps.sort((a, b) => b.s - a.s);
  return { lastKernelS: stamped[stamped.length - 1].t, topGaps: gaps.slice(0, 3) };
}

async function floorRun(inst, state, { pinned = false } = {}) {
  // Backends first, exactly as lwaftrctl would have them: its own snabbnfv start.
  const nfv = await inst.cli(['snabbnfv', 'start'], { measureRss: false, timeoutMs: 60_000 });
  if (nfv.code !== 0) throw new Error(`floor: snabbnfv start failed (exit ${nfv.code}): ${nfv.stderr.trim()}`);
  const dry = await inst.cli(['--dry-run', '--json', 'vm', 'start'], { measureRss: false, timeoutMs: 30_000 });
  if (dry.code !== 0) throw new Error(`floor: dry run failed: ${dry.stderr.trim()}`);
  const plan = JSON.parse(dry.stdout);
  const steps = plan.plans.flatMap((p) => p.steps);
  const spawnStep = steps.find((s) => s.kind === 'spawn');
  const qmpSocket =
    steps.find((s) => s.kind === 'wait' && s.for?.kind === 'qmp-ready')?.for?.socket ??
    path.join(inst.stateDir, 'qmp.sock');
  if (!spawnStep) throw new Error('floor: the vm start plan has no spawn step');
  const argv = spawnStep.argv;
  if (!argv.includes('-S')) log('note: the QEMU argv has no -S any more; cont is sent anyway');
  fs.mkdirSync(inst.stateDir, { recursive: true });
  // Files a previous QEMU of this instance may have left; lwaftrctl removes the same ones.
  for (const f of [qmpSocket, spawnStep.process?.pidFile].filter(Boolean)) fs.rmSync(f, { force: true });

  if (stopping) throw new Error('interrupted');
  const out = fs.openSync(spawnStep.log ?? path.join(inst.stateDir, 'qemu.log'), 'a');
  const t0 = hr();
  const child = spawn(argv[0], argv.slice(1), {
    cwd: spawnStep.cwd ?? REPO,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  child.on('error', () => undefined);
  state.floorPid = child.pid;
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    const deadline = t0 + 90_000;
    // The plan pins each vCPU on its own; the lab has one, and the floor pins every vCPU thread alike.
    const pins = steps.find((st) => st.kind === 'pin-vcpus')?.pins;
    const pinCores = pinned && pins?.length ? [...new Set(pins.flatMap((p) => p.cores))] : undefined;
    if (pinned && !pinCores) throw new Error('floor: --floor-variants: the plan pins no vCPU threads');
    const { qmpAt, contAt } = await qmpCont(qmpSocket, t0, deadline, () => !exited, pinCores);
    const bannerAt = await firstBanner(inst.port, t0, deadline);
    return {
      ms: bannerAt,
      startHr: t0,
      endHr: t0 + bannerAt,
      qmpMs: qmpAt,
      contMs: contAt,
      console: consoleSummary(path.join(inst.stateDir, 'console.log')),
    };
  } finally {
    await killAndWait(child.pid);
    state.floorPid = undefined;
    for (const f of [qmpSocket, spawnStep.process?.pidFile].filter(Boolean)) fs.rmSync(f, { force: true });
    const stop = await inst.cli(['snabbnfv', 'stop'], { measureRss: false, timeoutMs: 60_000 });
    if (stop.code !== 0) log(`floor: snabbnfv stop exited ${stop.code}: ${stop.stderr.trim()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The tool's own log: one line per step with its duration, turned into a timeline

function logSize(inst) {
  try {
    return fs.statSync(inst.toolLog).size;
  } catch {
    return 0;
  }
}

function readLogFrom(inst, offset) {
  try {
    const fd = fs.openSync(inst.toolLog, 'r');
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    fs.readSync(fd, buf, 0, buf.length, offset);
    fs.closeSync(fd);
    return buf
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return undefined;
        }
      })
      .filter(Boolean);
  } catch {
    return [];
  }
}

function stepLabel(step, component) {
  if (!step) return '?';
  let what = step.kind;
  if (step.for) what += ` ${step.for}`;
  else if (step.execute) what += ` ${step.execute}`;
  else if (step.signal) what += ` ${step.signal} ${step.process ?? ''}`.trimEnd();
  else if (Array.isArray(step.argv)) {
    const a = step.argv;
    if (a[0] === 'sh' && a[1] === '-c') what += ` sh:${a[3] ?? '?'}`;
    else if (a[0] === 'taskset' && a[3]) what += ` ${path.basename(a[3])}`;
    else
      what += ` ${path.basename(a[0])}${a[0] === 'dd' ? ` ${(a.find((x) => x.startsWith('of=')) ?? '').replace(/.*devices\/([^/]+).*/, '$1')}` : ''}`;
  }
  return `${component}: ${what}`;
}

/**
 * Segments of one lwaftrctl run, from the bench's spawn to its exit: start-up (node, modules,
 * config), each top-level step (nested escalation stages folded into their escalate step), the
 * gaps between steps (work outside any step: identity checks, SSH connects, guest state checks),
 * and the exit.
 */
function timeline(lines, startedAtEpoch, wallMs) {
  const begins = lines.find((l) => l.msg === 'run-begin');
  if (!begins) return undefined;
  const endLine = [...lines].reverse().find((l) => l.msg === 'run-end');
  const steps = [];
  for (const l of lines)
    if (l.msg === 'step-end' && typeof l.durationMs === 'number')
      steps.push({
        label: stepLabel(l.detail, l.component),
        start: l.time - l.durationMs,
        end: l.time,
        component: l.component,
      });
  // Drop steps nested inside an earlier, longer one (the stages of an escalation).
  steps.sort((a, b) => a.start - b.start || b.end - a.end);
  const top = [];
  for (const s of steps) {
    const parent = top[top.length - 1];
    if (parent && s.start >= parent.start && s.end <= parent.end) {
      parent.nested ??= [];
      parent.nested.push(`${s.label.replace(/^[^:]+: /, '')} ${s.end - s.start}ms`);
      continue;
    }
    top.push(s);
  }
  const segs = [{ label: 'start-up: node, modules, config (spawn → "run-begin")', ms: begins.time - startedAtEpoch }];
  let cursor = begins.time;
  let prevLabel = 'begin';
  for (const s of top) {
    const gap = s.start - cursor;
    if (gap > 0)
      segs.push({ label: `between steps: ${prevLabel.replace(/^[^:]+: /, '')} → ${s.label}`, ms: gap, gap: true });
    segs.push({ label: s.label, ms: s.end - s.start, nested: s.nested });
    cursor = Math.max(cursor, s.end);
    prevLabel = s.label;
  }
  const endAt = endLine?.time ?? cursor;
  if (endAt > cursor)
    segs.push({ label: `between steps: ${prevLabel.replace(/^[^:]+: /, '')} → end`, ms: endAt - cursor, gap: true });
  segs.push({ label: 'exit: "run-end" → process gone', ms: startedAtEpoch + wallMs - endAt });
  // Repeated labels in one run (port 1 and 2) get #2, #3 so runs line up.
  const seen = new Map();
  for (const s of segs) {
    const n = (seen.get(s.label) ?? 0) + 1;
    seen.set(s.label, n);
    if (n > 1) s.label += ` #${n}`;
  }
  return segs;
}

/** Median per segment label over several runs, in the order of the first run. */
function medianTimeline(runs) {
  const valid = runs.filter(Boolean);
  if (valid.length === 0) return [];
  const order = [];
  const by = new Map();
  for (const segs of valid)
    for (const s of segs) {
      if (!by.has(s.label)) {
        by.set(s.label, []);
        order.push(s.label);
      }
      by.get(s.label).push(s.ms);
    }
  return order.map((label) => {
    const xs = by.get(label);
    return { label, n: xs.length, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  });
}

/** Trace-hook events of one run as readable segments (relative to the process start). */
function traceSummary(trace) {
  if (!trace) return undefined;
  const ev = trace.events.map((e) => ({
    what: e.kind === 'socket' ? `socket ${e.target}` : `spawn ${e.argv.join(' ').slice(0, 60)}`,
    start: e.start,
    end: e.end,
    ms: e.end !== undefined ? Math.round((e.end - e.start) * 10) / 10 : undefined,
  }));
  return {
    hookLoadedMs: trace.hookLoadedMs,
    exitMs: trace.exitMs,
    vmHwmKB: trace.vmHwmKB,
    firstIoMs: ev[0]?.start,
    events: ev,
  };
}

// ---------------------------------------------------------------------------------------------
// Measurements

const LWAFTR_LINE = /lwaftr: started \(pid \d+, after ([\d.]+)s/;

function must(r, what, okCodes = [0]) {
  if (okCodes.includes(r.code)) return r;
  // lwaftrctl's own message first (its first lines), then the tail of what it showed.
  const lines = (r.stderr || r.stdout).trim().split('\n');
  const shown = lines.length > 16 ? [...lines.slice(0, 4), '…', ...lines.slice(-10)] : lines;
  const err = new Error(
    `${what} exited ${r.code}${r.signal ? ` (${r.signal})` : ''}: ${lines.find((l) => l.startsWith('lwaftrctl:')) ?? lines[0] ?? ''}`,
  );
  err.detail = shown.join('\n');
  throw err;
}

async function labCycle(inst, o, i, data) {
  // 1. all start, to the guest lwAFTR verified (the command returns only then).
  let off = logSize(inst);
  const start = must(await inst.cli(['all', 'start'], { timeoutMs: 180_000 }), 'all start');
  const own = LWAFTR_LINE.exec(start.stdout + start.stderr);
  data.allStart.push(start.ms);
  flag(data, 'allStart', start);
  data.lwaftrOwn.push(own ? Number(own[1]) * 1000 : undefined);
  data.rss['all start'].push(start.maxRssKB);
  data.timelines.allStart.push(timeline(readLogFrom(inst, off), start.startedAtEpoch, start.ms));
  data.allStartConsole.push(consoleSummary(path.join(inst.stateDir, 'console.log')));
  log(`run ${i + 1}: all start ${(start.ms / 1000).toFixed(2)} s (lwAFTR's own ${own ? own[1] : '?'} s)`);

  // 2. status --json on the running lab (the fast runs, in the first cycle only).
  if (i === 0) {
    await inst.cli(['status', '--json']); // warm-up, not counted
    for (let k = 0; k < o.fastRuns; k++) {
      const r = must(await inst.cli(['status', '--json']), 'status --json (running)', [0]);
      data.fast['status --json (running)'].push(r.ms);
      flag(data, 'status --json (running)', r);
      data.rss['status --json (running)'].push(r.maxRssKB);
    }
    if (o.trace)
      data.traces.statusRunning = traceSummary((await inst.cli(['status', '--json'], { trace: true })).trace);
  }

  // 2b. Packets through the whole chain: each capture 40 times, the rate as the receiving backend
  // recorded it (first to last frame), both ways. A figure to watch: the emulated guest bounds it.
  const t1 = hr();
  const traffic = spawnSync(path.join(REPO, 'scripts', 'lab-traffic.sh'), ['--repeat', '40', inst.conf], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
  const rates = [...(traffic.stdout ?? '').matchAll(/rate, first to last frame recorded\s+([\d.]+) frames\/s/g)];
  if (traffic.status !== 0 || rates.length !== 2)
    log(`run ${i + 1}: note: lab-traffic.sh exited ${traffic.status}: ${(traffic.stderr || traffic.stdout).trim()}`);
  const tMs = hr() - t1;
  data.pps.push(rates.length === 2 ? Math.min(...rates.map((m) => Number(m[1]))) : undefined);
  flag(data, 'pps', { startHr: t1, endHr: t1 + tMs });
  log(`run ${i + 1}: packets through the chain: ${rates.map((m) => `${m[1]} frames/s`).join(', ') || 'none'}`);

  // 3. snabbnfv restart with the VM up, until both guest links are back up.
  await openSshMaster(inst);
  const before = await guestLinks(inst);
  if (!before?.every(Boolean))
    log(`run ${i + 1}: note: guest links before snabbnfv restart: ${JSON.stringify(before)}`);
  const polls = [];
  let polling = true;
  const t0 = hr();
  const poller = (async () => {
    while (polling) {
      const links = await guestLinks(inst);
      polls.push({ at: hr() - t0, up: links ? links.every(Boolean) : undefined });
    }
  })();
  off = logSize(inst);
  const restart = await inst.cli(['snabbnfv', 'restart'], { timeoutMs: 60_000 });
  const cmdMs = hr() - t0;
  if (restart.code !== 0) {
    polling = false;
    await poller;
    must(restart, 'snabbnfv restart');
  }
  // Links back: the first poll after one that saw them down (or after the command returned, if no
  // poll caught them down) that sees both up; no earlier than the command's own return.
  let linksUpAt;
  const deadline = hr() + 30_000;
  for (;;) {
    const sawDownIdx = polls.findIndex((p) => p.up === false);
    const upAfter = polls.find((p, idx) => p.up === true && (sawDownIdx >= 0 ? idx > sawDownIdx : p.at >= cmdMs));
    if (upAfter) {
      linksUpAt = upAfter.at;
      break;
    }
    if (hr() > deadline) break;
    await sleep(20);
  }
  polling = false;
  await poller;
  const sawDown = polls.some((p) => p.up === false);
  const pollMs = median(polls.slice(1).map((p, k) => p.at - polls[k].at));
  data.nfvRestartLinks.push(linksUpAt === undefined ? undefined : Math.max(linksUpAt, cmdMs));
  flag(data, 'nfvRestartLinks', { startHr: t0, endHr: t0 + Math.max(linksUpAt ?? 0, cmdMs) });
  data.nfvRestartCmd.push(restart.ms);
  data.nfvRestartSawDown.push(sawDown);
  data.linkPollMs.push(pollMs);
  data.rss['snabbnfv restart'].push(restart.maxRssKB);
  data.timelines.nfvRestart.push(timeline(readLogFrom(inst, off), restart.startedAtEpoch, restart.ms));
  log(
    `run ${i + 1}: snabbnfv restart: command ${(restart.ms / 1000).toFixed(2)} s, links up after ${linksUpAt === undefined ? 'NEVER (30 s)' : `${(Math.max(linksUpAt, cmdMs) / 1000).toFixed(2)} s`}` +
      ` (links seen down: ${sawDown ? 'yes' : 'no'}; one link poll ≈ ${pollMs?.toFixed(0)} ms)`,
  );

  // 3b. Packets flow again: the traffic check (each capture once, both ways, every frame compared),
  // run as soon as the links were back. Pass or fail only: the check's own time is its waits.
  const check = spawnSync(path.join(REPO, 'scripts', 'lab-traffic.sh'), [inst.conf], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  data.nfvRestartFlow.push(check.status === 0);
  if (check.status !== 0)
    log(
      `run ${i + 1}: note: lab-traffic.sh after snabbnfv restart exited ${check.status}: ${(check.stderr || check.stdout).trim()}`,
    );

  // 4. lwaftr restart.
  off = logSize(inst);
  const lw = must(await inst.cli(['lwaftr', 'restart'], { timeoutMs: 60_000 }), 'lwaftr restart');
  const lwOwn = LWAFTR_LINE.exec(lw.stdout + lw.stderr);
  data.lwaftrRestart.push(lw.ms);
  flag(data, 'lwaftrRestart', lw);
  data.lwaftrRestartOwn.push(lwOwn ? Number(lwOwn[1]) * 1000 : undefined);
  data.rss['lwaftr restart'].push(lw.maxRssKB);
  data.timelines.lwaftrRestart.push(timeline(readLogFrom(inst, off), lw.startedAtEpoch, lw.ms));
  log(`run ${i + 1}: lwaftr restart ${(lw.ms / 1000).toFixed(2)} s`);

  // 5. all stop.
  closeSshMaster(inst);
  off = logSize(inst);
  const stop = must(await inst.cli(['all', 'stop'], { timeoutMs: 120_000 }), 'all stop');
  data.allStop.push(stop.ms);
  flag(data, 'allStop', stop);
  data.rss['all stop'].push(stop.maxRssKB);
  data.timelines.allStop.push(timeline(readLogFrom(inst, off), stop.startedAtEpoch, stop.ms));
  log(`run ${i + 1}: all stop ${(stop.ms / 1000).toFixed(2)} s`);
  const left = processesOf(inst);
  if (left.length)
    throw new Error(`all stop left processes of ${inst.name}: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
}

/** The commands timed many times over, and the keys of their samples. */
const FAST_COMMANDS = [
  'node -e 0',
  '--help',
  '--version',
  'status --json (stopped)',
  'status --json (running)',
  'doctor --no-kvm-probe',
];

async function fastCommands(inst, o, data) {
  const cmds = [
    ['node -e 0', [process.execPath, '-e', '0']],
    ['--help', [process.execPath, CLI, '--help']],
    ['--version', [process.execPath, CLI, '--version']],
    ['status --json (stopped)', [process.execPath, CLI, '-f', inst.conf, 'status', '--json']],
    ['doctor --no-kvm-probe', [process.execPath, CLI, '-f', inst.conf, 'doctor', '--no-kvm-probe']],
  ];
  const okCodes = { 'status --json (stopped)': [3] };
  // One warm-up round (page cache), then the runs interleaved so that load changes hit all alike.
  for (const [, argv] of cmds) await run(argv);
  for (let k = 0; k < o.fastRuns; k++)
    for (const [name, argv] of cmds) {
      const r = must(await run(argv), name, okCodes[name] ?? [0]);
      data.fast[name].push(r.ms);
      flag(data, name, r);
      data.rss[name].push(r.maxRssKB);
    }
  if (o.trace) data.traces.statusStopped = traceSummary((await inst.cli(['status', '--json'], { trace: true })).trace);
}

/** What loading each module costs in a fresh node (median of 3), for the "where the time goes" notes. */
async function moduleCosts() {
  const deps = Object.keys(JSON.parse(fs.readFileSync(path.join(SNAPSHOT, 'package.json'), 'utf8')).dependencies ?? {});
  const own = [
    './dist/config/load-config.js',
    './dist/commands/status-command.js',
    './dist/commands/action-command.js',
  ].filter((m) => fs.existsSync(path.join(SNAPSHOT, m)));
  const mods = [...deps, ...own];
  const out = {};
  for (const m of mods) {
    const spec = m.startsWith('./') ? path.join(SNAPSHOT, m) : m;
    const code = `const t=performance.now();await import(${JSON.stringify(spec)});process.stdout.write(String(performance.now()-t))`;
    const xs = [];
    for (let k = 0; k < 3; k++) {
      const r = await run([process.execPath, '--input-type=module', '-e', code], { measureRss: false });
      if (r.code === 0) xs.push(Number(r.stdout));
    }
    if (xs.length) out[m] = median(xs);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

const s1 = (ms) => (ms === undefined ? '–' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const spread = (st, f = s1) => (st.n ? `${f(st.min)} – ${f(st.max)}` : '–');
/** A row's figures: times in ms, or plain counts. */
const figure = (r) => (r.unit === 'count' ? (x) => (x === undefined ? '–' : String(Math.round(x))) : s1);

function buildRows(data) {
  // A summary of all samples, and of the quiet ones (no other lab/test running meanwhile); the
  // ratios and verdicts use the quiet median when some samples were contended and some were not.
  const S = (xs, key) => {
    const st = summarize(xs);
    const flags = data.contended[key] ?? [];
    const quietXs = xs.filter((_, i) => flags[i] === false);
    st.contended = flags.filter(Boolean).length;
    st.quiet = summarize(quietXs);
    st.use = st.contended && st.quiet.n ? st.quiet.median : st.median;
    return st;
  };
  const floor = S(
    data.floor.map((f) => f?.ms),
    'floor',
  );
  const floorPinned = S(
    data.floorPinned.map((f) => f?.ms),
    'floorPinned',
  );
  const allStart = S(data.allStart, 'allStart');
  const own = S(data.lwaftrOwn, 'allStart');
  const allStop = S(data.allStop, 'allStop');
  const links = S(data.nfvRestartLinks, 'nfvRestartLinks');
  const fast = (name) => S(data.fast[name], name);
  const node0 = fast('node -e 0');
  const help = fast('--help');
  const version = fast('--version');
  const stStopped = fast('status --json (stopped)');
  const stRunning = fast('status --json (running)');
  const doctor = fast('doctor --no-kvm-probe');
  const ratio = (x, y) => (x.n && y.n ? x.use / y.use : undefined);
  const startTarget = floor.n && own.n ? 1.15 * floor.use + own.use : undefined;
  const pinnedTarget = floorPinned.n && own.n ? 1.15 * floorPinned.use + own.use : undefined;
  const rows = [
    { metric: "floor: guest boot → SSH banner (lwaftrctl's QEMU argv, cont at once)", st: floor },
    {
      metric: '  of which: QEMU spawn → QMP greeting',
      st: S(
        data.floor.map((f) => f?.qmpMs),
        'floor',
      ),
    },
    { metric: 'floor, vCPU pinned as lwaftrctl pins it (pin, then cont)', st: floorPinned },
    // The target is against the pinned floor: all start pins the vCPU the same way.
    {
      metric: 'all start → guest lwAFTR verified',
      st: allStart,
      ratio: ratio(allStart, floorPinned),
      ratioOf: 'pinned floor',
      target: pinnedTarget,
      targetText: pinnedTarget ? `≤ 1.15×pinned floor + lwAFTR = ${s1(pinnedTarget)}` : '≤ 1.15×pinned floor + lwAFTR',
    },
    {
      metric: '  same, against the unpinned floor',
      st: allStart,
      ratio: ratio(allStart, floor),
      ratioOf: 'floor',
      target: startTarget,
      targetText: startTarget ? `≤ 1.15×floor + lwAFTR = ${s1(startTarget)}` : '',
      info: true,
    },
    { metric: '  of which: lwAFTR start (lwaftrctl\'s "after X s")', st: own },
    { metric: 'all stop', st: allStop, target: 2500, targetText: '≤ 2.5 s' },
    {
      metric: '  for comparison: all stop --force (QEMU killed, no powerdown)',
      st: S(data.allStopForce, 'allStopForce'),
    },
    { metric: 'snabbnfv restart (VM up) → both guest links up', st: links, target: 2000, targetText: '≤ 2 s' },
    { metric: '  of which: the command itself', st: S(data.nfvRestartCmd, 'nfvRestartLinks') },
    { metric: 'lwaftr restart', st: S(data.lwaftrRestart, 'lwaftrRestart') },
    {
      metric: 'packets through the chain, frames/s (lab-traffic.sh --repeat 40; the slower way)',
      st: S(data.pps, 'pps'),
      unit: 'count',
      info: true,
    },
    { metric: 'node -e 0 (baseline)', st: node0 },
    {
      metric: 'lwaftrctl --help',
      st: help,
      ratio: ratio(help, node0),
      ratioOf: 'node',
      target: node0.n ? 2 * node0.use : undefined,
      targetText: '≤ 2× node -e 0',
    },
    { metric: 'lwaftrctl --version', st: version, ratio: ratio(version, node0), ratioOf: 'node' },
    {
      metric: 'status --json, lab stopped',
      st: stStopped,
      ratio: ratio(stStopped, node0),
      ratioOf: 'node',
      target: 400,
      targetText: '≤ 400 ms',
    },
    {
      metric: 'status --json, lab running',
      st: stRunning,
      ratio: ratio(stRunning, node0),
      ratioOf: 'node',
      target: 400,
      targetText: '≤ 400 ms',
    },
    {
      metric: 'doctor --no-kvm-probe, lab stopped',
      st: doctor,
      ratio: ratio(doctor, node0),
      ratioOf: 'node',
      target: 500,
      targetText: '≤ 500 ms',
    },
  ];
  for (const r of rows) if (r.target !== undefined && r.st.n) r.met = r.st.use <= r.target;
  return rows;
}

function renderTable(rows) {
  const anyContended = rows.some((r) => r.st.contended);
  const head = [
    'metric',
    'runs',
    'median',
    'min – max',
    ...(anyContended ? ['quiet runs: median'] : []),
    'ratio',
    'target',
    'met',
  ];
  const body = rows.map((r) => [
    r.metric,
    `${r.st.n ?? 0}${r.st.contended ? ` (${r.st.contended} contended)` : ''}`,
    figure(r)(r.st.median),
    spread(r.st, figure(r)),
    ...(anyContended
      ? [r.st.contended ? (r.st.quiet.n ? `${figure(r)(r.st.quiet.median)} (${r.st.quiet.n})` : 'none quiet') : '']
      : []),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}× ${r.ratioOf}`,
    r.targetText ?? '',
    r.met === undefined ? '' : `${r.met ? 'yes' : `NO (+${s1(r.st.use - r.target)})`}${r.info ? ' (info)' : ''}`,
  ]);
  const esc = (c) => c.replace(/\|/g, '\\|');
  const note = anyContended
    ? '\n\n"contended": another lab or test (QEMU, dpdk-testpmd, vitest) ran on this machine during that sample; ratios and verdicts use the median of the quiet samples where there is one.'
    : '';
  return (
    [
      `| ${head.join(' | ')} |`,
      `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
      ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
    ].join('\n') + note
  );
}

function renderTimeline(title, segs) {
  if (!segs.length) return '';
  const total = segs.reduce((a, s) => a + s.median, 0);
  const lines = [`${title} (median ms per segment; sum of medians ${s1(total)})`];
  for (const s of segs)
    if (s.median >= 20 || !s.label.startsWith('between'))
      lines.push(
        `  ${String(Math.round(s.median)).padStart(6)} ms  ${s.label}${s.n > 1 ? `  [${Math.round(s.min)}–${Math.round(s.max)}]` : ''}`,
      );
  return lines.join('\n');
}

function renderTrace(title, t) {
  if (!t) return '';
  const lines = [
    `${title}: trace hook loaded at ${t.hookLoadedMs} ms, first I/O at ${t.firstIoMs ?? '–'} ms, exit at ${t.exitMs} ms, VmHWM ${t.vmHwmKB} KB`,
  ];
  for (const e of t.events)
    lines.push(`  ${String(e.start).padStart(7)} ms +${String(e.ms ?? '?').padStart(6)} ms  ${e.what}`);
  return lines.join('\n');
}

function guestKernelLine(data) {
  const last = (xs) => median(xs.map((x) => x?.console?.lastKernelS ?? x?.lastKernelS).filter(Number.isFinite));
  const a = last(data.floor);
  const b = last(data.floorPinned);
  const c = last(data.allStartConsole);
  if (a === undefined && c === undefined) return '';
  return `Guest kernel's last console timestamp (its own boot, median s): floor ${a?.toFixed(2) ?? '–'}, pinned floor ${b?.toFixed(2) ?? '–'}, all start ${c?.toFixed(2) ?? '–'}`;
}

function rssTable(data) {
  const lines = ['| command | peak RSS (max over runs) |', '|---|---:|'];
  for (const [name, xs] of Object.entries(data.rss)) {
    const v = xs.filter(Number.isFinite);
    if (v.length) lines.push(`| ${name} | ${(Math.max(...v) / 1024).toFixed(1)} MiB |`);
  }
  return lines.join('\n');
}

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
  const qemu = spawnSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0];
  const virtualized = /\bhypervisor\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  return {
    date: new Date().toISOString(),
    virtualized,
    uname: os.release(),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    qemu,
    kvm: fs.existsSync('/dev/kvm'),
  };
}

function confValue(conf, key) {
  return new RegExp(`^${key}=(.*)$`, 'm').exec(fs.readFileSync(conf, 'utf8'))?.[1]?.trim();
}

function otherLoad(inst) {
  // QEMUs and test labs of other people on this machine: noise the numbers carry.
  const others = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (
        /qemu-system|dpdk-testpmd|vitest/.test(`${cmd.split('\0')[0]} ${cmd.split('\0')[1] ?? ''}`) &&
        !cmd.includes(inst.stateDir) &&
        !cmd.includes(`:${inst.port}-`)
      )
        others.push(`${d} ${cmd.split('\0')[0].split('/').pop()}`);
    } catch {
      // Gone.
    }
  }
  return { loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100), others };
}

// Other people's labs and tests on this machine (QEMU, dpdk-testpmd, vitest not of this instance),
// sampled every 500 ms: a sample taken while any ran is marked "contended".
const busySamples = [];
let sampler;
function startContentionSampler(inst) {
  const look = () => {
    const others = otherLoad(inst).others;
    if (others.length) busySamples.push({ at: hr(), others });
  };
  look();
  sampler = setInterval(look, 500);
  sampler.unref();
}

function wasContended(startHr, endHr) {
  return busySamples.some((b) => b.at >= startHr - 600 && b.at <= endHr + 600);
}

function flag(data, key, r) {
  data.contended[key] ??= [];
  data.contended[key].push(r && r.startHr !== undefined ? wasContended(r.startHr, r.endHr) : false);
}

async function waitQuiet(inst, seconds) {
  if (!seconds) return;
  const until = hr() + seconds * 1000;
  let said = false;
  for (;;) {
    const others = otherLoad(inst).others;
    if (others.length === 0) return;
    if (hr() > until)
      return log(
        `others still running after ${seconds} s of waiting (${others.join(', ')}): going on; their samples are marked contended`,
      );
    if (!said) log(`waiting up to ${seconds} s for others' labs/tests to finish: ${others.join(', ')}`);
    said = true;
    await sleep(2000);
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function cleanup(inst, state) {
  if (state.cleanedUp) return;
  state.cleanedUp = true;
  if (state.floorPid) await killAndWait(state.floorPid);
  closeSshMaster(inst);
  const stop = await run([process.execPath, CLI, '-f', inst.conf, '--force', 'all', 'stop'], {
    measureRss: false,
    timeoutMs: 90_000,
    duringCleanup: true,
  });
  if (stop.code !== 0) log(`cleanup: --force all stop exited ${stop.code}: ${stop.stderr.trim()}`);
  let left = processesOf(inst);
  if (left.length) {
    // Last resort, as test/helpers/lab.ts does: only processes of this bench instance, by pid.
    log(`cleanup: left behind, killing by pid: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    await sleep(200);
    spawnSync('screen', ['-wipe'], { stdio: 'ignore' });
    left = processesOf(inst);
  }
  fs.rmSync(inst.traceDir, { recursive: true, force: true });
  if (left.length) log(`cleanup: STILL LEFT: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`);
  else log(`cleanup: no QEMU, screen or backend of ${inst.name} is left`);
  return left.length === 0;
}

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    try {
      newest = Math.max(newest, fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs);
    } catch {
      // Replaced meanwhile.
    }
  }
  return newest;
}

/** Copies dist/ and package.json once dist/ has not changed for 3 s, and checks the copy runs. */
async function snapshotCli() {
  const dist = path.join(REPO, 'dist');
  if (!fs.existsSync(path.join(dist, 'cli.js'))) usage(`${dist}/cli.js is missing: run npm run build first`);
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = newestMtime(dist);
    if (Date.now() - before < 3000) {
      await sleep(1000);
      continue;
    }
    fs.rmSync(SNAPSHOT, { recursive: true, force: true });
    fs.mkdirSync(SNAPSHOT, { recursive: true });
    fs.cpSync(dist, path.join(SNAPSHOT, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'package.json'), path.join(SNAPSHOT, 'package.json'));
    if (newestMtime(dist) !== before) continue;
    const v = await run([process.execPath, CLI, '--version'], { measureRss: false });
    if (v.code === 0) return { version: v.stdout.trim(), distNewest: new Date(before).toISOString() };
  }
  usage('dist/ keeps changing (someone is rebuilding): try again in a moment');
}

/** What the lab is made of; compared at the end, since others may rebuild it while the bench runs. */
function labFingerprint() {
  const files = ['guest/vmlinuz', 'guest/initramfs.cpio.gz', 'snabb/src/snabb'];
  return Object.fromEntries(
    files.map((f) => {
      try {
        const st = fs.statSync(path.join(LAB, f));
        return [f, `${st.size} bytes, ${new Date(st.mtimeMs).toISOString()}`];
      } catch {
        return [f, 'missing'];
      }
    }),
  );
}

function gitInfo() {
  const g = (...a) => spawnSync('git', ['-C', REPO, ...a], { encoding: 'utf8' }).stdout?.trim();
  const dirty = g('status', '--porcelain', '--', 'src', 'scripts', 'conf')
    ?.split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\s*\S+\s+/, ''));
  return { head: g('log', '-1', '--format=%h %s'), uncommitted: dirty?.length ? dirty : 'none in src, scripts, conf' };
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  const snap = await snapshotCli();
  for (const f of ['guest/vmlinuz', 'guest/initramfs.cpio.gz', 'keys/id_ed25519', 'snabb/src/snabb'])
    if (!fs.existsSync(path.join(LAB, f)))
      usage(`the lab is not built (${path.join(LAB, f)} missing): run ./scripts/setup.sh`);
  const inst = makeInstance(o);
  const state = {};
  const began = hr();
  const data = {
    contended: {},
    failures: [],
    floor: [],
    floorPinned: [],
    allStart: [],
    allStopForce: [],
    allStartConsole: [],
    lwaftrOwn: [],
    allStop: [],
    nfvRestartLinks: [],
    nfvRestartCmd: [],
    nfvRestartFlow: [],
    nfvRestartSawDown: [],
    linkPollMs: [],
    lwaftrRestart: [],
    lwaftrRestartOwn: [],
    pps: [],
    fast: Object.fromEntries(FAST_COMMANDS.map((k) => [k, []])),
    rss: Object.fromEntries(
      [...FAST_COMMANDS, 'all start', 'snabbnfv restart', 'lwaftr restart', 'all stop'].map((k) => [k, []]),
    ),
    timelines: { allStart: [], allStop: [], allStopForce: [], nfvRestart: [], lwaftrRestart: [] },
    traces: { statusStopped: undefined, statusRunning: undefined },
  };
  let interrupted = false;
  const onSignal = async (sig) => {
    if (interrupted) return;
    interrupted = true;
    stopping = true;
    log(`${sig}: cleaning up`);
    await cleanup(inst, state);
    process.exit(130);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const meta = {
    ...machine(),
    cli: { ...snap, ...gitInfo(), snapshot: SNAPSHOT },
    memoryMeasure: GNU_TIME
      ? `GNU time (${GNU_TIME} -f %M): ru_maxrss of the node process`
      : 'VmHWM of the node process, read from /proc/self/status at exit by bench/lib/trace-hook.mjs (no GNU time here; apt-get install -y time for ru_maxrss); the hook adds ~40 ms to each timed run',
    instance: inst.name,
    sshPort: inst.port,
    conf: inst.conf,
    options: { fastRuns: o.fastRuns, labRuns: o.labRuns, trace: o.trace, waitQuiet: o.waitQuiet },
  };
  meta.loadBefore = otherLoad(inst);
  meta.lab = labFingerprint();
  log(
    `instance ${inst.name}, SSH port ${inst.port}, ${o.fastRuns} fast runs, ${o.labRuns} lab runs; load ${meta.loadBefore.loadavg.join(' ')}${meta.loadBefore.others.length ? `; others running: ${meta.loadBefore.others.join(', ')}` : ''}`,
  );

  let error;
  try {
    // A previous bench run that was killed may have left this instance up.
    if (processesOf(inst).length) {
      log(`instance ${inst.name} has processes from an earlier run: --force all stop first`);
      must(
        await run([process.execPath, CLI, '-f', inst.conf, '--force', 'all', 'stop'], { measureRss: false }),
        'initial --force all stop',
      );
    }
    if (!(await portIsFree(inst.port)))
      throw new Error(`127.0.0.1:${inst.port} is in use: pick another with --port (10060-10069)`);

    if (o.floorVariants) {
      for (let i = 0; i < o.labRuns; i++) {
        const a = await floorRun(inst, state);
        data.floor.push(a);
        const b = await floorRun(inst, state, { pinned: true });
        data.floorPinned.push(b);
        const c = (x) =>
          x.console
            ? ` [guest console: last kernel stamp ${x.console.lastKernelS}s; longest silences ${x.console.topGaps.map((g) => `${g.s}s before "${g.before}"`).join(', ')}]`
            : '';
        log(`variants ${i + 1}: floor as specified ${(a.ms / 1000).toFixed(2)} s${c(a)}`);
        log(`variants ${i + 1}: with vCPU pinned ${(b.ms / 1000).toFixed(2)} s${c(b)}`);
      }
      const f = (xs) => summarize(xs.map((x) => x.ms));
      const A = f(data.floor);
      const B = f(data.floorPinned);
      process.stdout.write(
        `floor as specified: median ${s1(A.median)} (${spread(A)}); with lwaftrctl's vCPU pinning: median ${s1(B.median)} (${spread(B)})\n`,
      );
      return;
    }
    startContentionSampler(inst);
    await waitQuiet(inst, o.waitQuiet);
    log('CLI overhead: node -e 0, --help, --version, status --json (stopped), doctor --no-kvm-probe');
    await fastCommands(inst, o, data);

    let failedInARow = 0;
    for (let i = 0; i < o.labRuns; i++) {
      await waitQuiet(inst, o.waitQuiet);
      log(
        `run ${i + 1}/${o.labRuns}: floors (snabbnfv start, QEMU with lwaftrctl's argv, cont, SSH banner; then the same with the vCPU pinned first)`,
      );
      try {
        // The floor as specified, and the same with lwaftrctl's vCPU pinning, in alternating order.
        for (const pinned of i % 2 ? [true, false] : [false, true]) {
          const f = await floorRun(inst, state, { pinned });
          (pinned ? data.floorPinned : data.floor).push(f);
          flag(data, pinned ? 'floorPinned' : 'floor', f);
          log(
            `run ${i + 1}: floor${pinned ? ' (vCPU pinned)' : ''} ${(f.ms / 1000).toFixed(2)} s (QMP at ${(f.qmpMs / 1000).toFixed(2)} s)`,
          );
        }
        await labCycle(inst, o, i, data);
        failedInARow = 0;
      } catch (err) {
        // A failed cycle is reported, not hidden, and the next one starts from a clean lab.
        if (stopping) throw err;
        data.failures.push({ run: i + 1, error: err.message, detail: err.detail });
        log(`run ${i + 1} FAILED: ${err.message}${err.detail ? `\n${err.detail}` : ''}`);
        if (++failedInARow >= 2) throw new Error(`two lab cycles in a row failed; last: ${err.message}`);
        if (state.floorPid) await killAndWait(state.floorPid);
        closeSshMaster(inst);
        await run([process.execPath, CLI, '-f', inst.conf, '--force', 'all', 'stop'], {
          measureRss: false,
          timeoutMs: 90_000,
        });
        const left = processesOf(inst);
        if (left.length)
          throw new Error(
            `after the failed run, --force all stop left: ${left.map((p) => `${p.pid} ${p.cmd}`).join('; ')}`,
          );
      }
    }
    // Informational, once: all stop --force (QEMU killed, no ACPI powerdown), the lower bound of a stop.
    log('once: all start, then all stop --force');
    must(
      await inst.cli(['all', 'start'], { measureRss: false, timeoutMs: 180_000 }),
      'all start (before --force stop)',
    );
    const off = logSize(inst);
    const fstop = must(await inst.cli(['--force', 'all', 'stop'], { timeoutMs: 120_000 }), 'all stop --force');
    data.allStopForce.push(fstop.ms);
    flag(data, 'allStopForce', fstop);
    data.timelines.allStopForce.push(timeline(readLogFrom(inst, off), fstop.startedAtEpoch, fstop.ms));
    log(`all stop --force ${(fstop.ms / 1000).toFixed(2)} s`);
    meta.moduleLoadMs = await moduleCosts();
  } catch (err) {
    error = err;
    log(`FAILED: ${err.message ?? err}${err.detail ? `\n${err.detail}` : ''}`);
  } finally {
    const clean = await cleanup(inst, state);
    meta.cleanupLeftNothing = clean;
  }

  meta.loadAfter = otherLoad(inst);
  const labAfter = labFingerprint();
  if (JSON.stringify(labAfter) !== JSON.stringify(meta.lab)) meta.labChangedDuringRun = labAfter;
  meta.benchSeconds = Math.round((hr() - began) / 100) / 10;
  const rows = buildRows(data);
  const phases = {
    allStart: medianTimeline(data.timelines.allStart),
    allStop: medianTimeline(data.timelines.allStop),
    allStopForce: medianTimeline(data.timelines.allStopForce),
    nfvRestart: medianTimeline(data.timelines.nfvRestart),
    lwaftrRestart: medianTimeline(data.timelines.lwaftrRestart),
  };
  const table = renderTable(rows);
  const header = `${meta.date.slice(0, 16).replace('T', ' ')} UTC, Linux ${meta.uname}, nproc ${meta.nproc}, ${meta.cpu}${meta.virtualized ? ' (virtual machine)' : ''}, ${meta.memGiB} GiB, QEMU accel=${confValue(inst.conf, 'QEMU_ACCEL') ?? 'kvm'}, ${meta.qemu ?? 'qemu ?'}, node ${meta.node}; load before ${meta.loadBefore.loadavg.join(' ')}, after ${meta.loadAfter.loadavg.join(' ')}; bench took ${meta.benchSeconds} s`;
  const text = [
    '',
    header,
    '',
    table,
    '',
    `Peak memory: ${meta.memoryMeasure}`,
    rssTable(data),
    '',
    renderTimeline('all start, where the time goes (from lwaftrctl.log)', phases.allStart),
    '',
    renderTimeline('all stop, where the time goes', phases.allStop),
    '',
    renderTimeline('all stop --force (once)', phases.allStopForce),
    '',
    renderTimeline('snabbnfv restart (VM up)', phases.nfvRestart),
    '',
    renderTimeline('lwaftr restart', phases.lwaftrRestart),
    '',
    renderTrace('status --json, lab stopped', data.traces.statusStopped),
    '',
    renderTrace('status --json, lab running', data.traces.statusRunning),
    '',
    meta.moduleLoadMs
      ? `Module load cost in a fresh node (ms, median of 3): ${Object.entries(meta.moduleLoadMs)
          .map(([m, v]) => `${m} ${v === undefined ? '?' : Math.round(v)}`)
          .join(', ')}`
      : '',
    guestKernelLine(data),
    data.nfvRestartSawDown.length
      ? `snabbnfv restart: links seen down during the restart in ${data.nfvRestartSawDown.filter(Boolean).length}/${data.nfvRestartSawDown.length} runs; one link poll (ssh, ControlMaster) ≈ ${s1(median(data.linkPollMs.filter(Number.isFinite)))}; then the traffic check (every frame, both ways) passed in ${data.nfvRestartFlow.filter(Boolean).length}/${data.nfvRestartFlow.length}`
      : '',
    `CLI: ${meta.cli.version} from a snapshot of dist/ (newest file ${meta.cli.distNewest}); git ${meta.cli.head}; uncommitted: ${[].concat(meta.cli.uncommitted).join(', ')}`,
    meta.labChangedDuringRun
      ? `\nWARNING: the lab changed while the bench ran (someone rebuilt it): the numbers mix two labs. Before: ${JSON.stringify(meta.lab)}; after: ${JSON.stringify(meta.labChangedDuringRun)}`
      : '',
    data.failures.length
      ? `\nFAILED LAB CYCLES (${data.failures.length}; their samples are missing from the table):\n${data.failures.map((f) => `  run ${f.run}: ${f.error}`).join('\n')}`
      : '',
    error ? `\nINCOMPLETE: ${error.message}${error.detail ? `\n${error.detail}` : ''}` : '',
  ].join('\n');
  process.stdout.write(`${text}\n`);

  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  const json = {
    meta,
    ok: !error && data.failures.length === 0,
    error: error ? String(error.message ?? error) : undefined,
    table,
    rows: rows.map((r) => ({
      metric: r.metric.trim(),
      ...r.st,
      ratio: r.ratio,
      ratioOf: r.ratioOf,
      target: r.target,
      targetText: r.targetText,
      met: r.met,
    })),
    raw: data,
    phases,
  };
  fs.writeFileSync(o.out, `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), o.out) || o.out}`);
  process.exitCode = error || data.failures.length || !meta.cleanupLeftNothing ? 1 : 0;
}

await main();
