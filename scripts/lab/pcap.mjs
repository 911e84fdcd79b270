#!/usr/bin/env node
// Classic pcap files for the lab's packet streams (scripts/build-lab-traffic.sh, scripts/lab-traffic.sh).
// Hand-written: the format is a 24-byte file header and a 16-byte header per record, and the
// project takes no dependency for the lab's test tooling; tcpdump's text output was tried and
// cannot be counted (it adds hex dumps of inner packets for some IPv6 frames).
//
//   pcap.mjs select <ethertype> <max length> <out> <in...>   frames of that ethertype (untagged),
//                                                            at most that long, from each file in turn
//   pcap.mjs frames <file>    one line per frame: its bytes in hex
//   pcap.mjs count <file>     the number of frames
//   pcap.mjs rate <file>      frames per second between the first and the last timestamp, or "-"
import fs from 'node:fs';

const HEADER = 24;
const RECORD = 16;

/** The records of a pcap file: timestamp in seconds and frame bytes. */
function* records(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < HEADER) throw new Error(`${file}: not a pcap file (${buf.length} bytes)`);
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${file}: not a pcap file (magic ${magic.toString(16)})`);
  const nano = (le ? magic : buf.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (at) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  for (let at = HEADER; at + RECORD <= buf.length; ) {
    const length = u32(at + 8);
    if (at + RECORD + length > buf.length) throw new Error(`${file}: truncated record at byte ${at}`);
    yield { time: u32(at) + u32(at + 4) / (nano ? 1e9 : 1e6), frame: buf.subarray(at + RECORD, at + RECORD + length) };
    at += RECORD + length;
  }
}

/** A little-endian microsecond pcap header for Ethernet, as the inputs of select become. */
function fileHeader() {
  const h = Buffer.alloc(HEADER);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(65535, 16);
  h.writeUInt32LE(1, 20);
  return h;
}

function select(ethertype, maxLength, out, inputs) {
  const type = Number(ethertype);
  const parts = [fileHeader()];
  for (const file of inputs)
    for (const r of records(file)) {
      if (r.frame.length < 14 || r.frame.length > Number(maxLength) || r.frame.readUInt16BE(12) !== type) continue;
      const head = Buffer.alloc(RECORD);
      const usec = Math.round((r.time % 1) * 1e6);
      head.writeUInt32LE(Math.floor(r.time), 0);
      head.writeUInt32LE(usec, 4);
      head.writeUInt32LE(r.frame.length, 8);
      head.writeUInt32LE(r.frame.length, 12);
      parts.push(head, r.frame);
    }
  fs.writeFileSync(out, Buffer.concat(parts));
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'select' && args.length >= 3) select(args[0], args[1], args[2], args.slice(3));
  else if (command === 'frames' && args.length === 1) for (const r of records(args[0])) process.stdout.write(`${r.frame.toString('hex')}\n`);
  else if (command === 'count' && args.length === 1) console.log([...records(args[0])].length);
  else if (command === 'rate' && args.length === 1) {
    const times = [...records(args[0])].map((r) => r.time);
    const span = times.length > 1 ? times[times.length - 1] - times[0] : 0;
    console.log(span > 0 ? Math.floor((times.length - 1) / span) : '-');
  } else {
    console.error('usage: pcap.mjs select <ethertype> <max length> <out> <in...> | frames <file> | count <file> | rate <file>');
    process.exit(2);
  }
} catch (e) {
  console.error(`pcap.mjs: ${e.message}`);
  process.exit(1);
}
