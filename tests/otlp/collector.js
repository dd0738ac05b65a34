// A test OTLP/HTTP trace collector (tests/integration/test_tracing.py). It decodes each
// ExportTraceServiceRequest with protobufjs and the official opentelemetry-proto definitions
// (../shared/otlp-proto), never with a reader of its own, and appends one JSON line per span to
// the output file. With --hang it accepts requests and never answers them; with --sink it answers
// 200 without decoding or writing anything (bench/tracing.sh: a collector that keeps up).
//
//   node collector.js --port PORT --proto DIR --out FILE [--hang | --sink]
// Prints "ready" on stdout once listening.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const protobuf = require('protobufjs');

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--hang') args.hang = true;
  else if (a === '--sink') args.sink = true;
  else args[a.replace(/^--/, '')] = process.argv[++i];
}

const root = new protobuf.Root();
root.resolvePath = (origin, target) => path.join(args.proto, target);
root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
root.resolveAll();
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const Response = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');

const hex = (b64) => Buffer.from(b64 || '', 'base64').toString('hex');

function anyValue(v) {
  if (v === undefined || v === null) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  return v;
}

function attrs(list) {
  const out = {};
  for (const kv of list || []) out[kv.key] = anyValue(kv.value);
  return out;
}

function handle(body) {
  const msg = Request.decode(body); // throws on anything that is not a valid message
  const err = Request.verify(msg);
  if (err) throw new Error(err);
  const obj = Request.toObject(msg, { longs: String, enums: String, bytes: String, defaults: false });
  const lines = [];
  for (const rs of obj.resourceSpans || []) {
    const resource = attrs(rs.resource && rs.resource.attributes);
    for (const ss of rs.scopeSpans || []) {
      for (const s of ss.spans || []) {
        lines.push(JSON.stringify({
          trace_id: hex(s.traceId),
          span_id: hex(s.spanId),
          parent_span_id: hex(s.parentSpanId),
          trace_state: s.traceState || '',
          flags: s.flags || 0,
          name: s.name,
          kind: s.kind,
          start: s.startTimeUnixNano,
          end: s.endTimeUnixNano,
          attributes: attrs(s.attributes),
          links: (s.links || []).map((l) => ({ trace_id: hex(l.traceId), span_id: hex(l.spanId), flags: l.flags || 0 })),
          status: { code: (s.status && s.status.code) || 'STATUS_CODE_UNSET', message: (s.status && s.status.message) || '' },
          resource,
          scope: { name: ss.scope && ss.scope.name, version: ss.scope && ss.scope.version },
        }));
      }
    }
  }
  if (lines.length) fs.appendFileSync(args.out, lines.join('\n') + '\n');
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (args.hang) return; // never answered
    const type = req.headers['content-type'] || '';
    if (req.method !== 'POST' || type !== 'application/x-protobuf') {
      fs.appendFileSync(args.out, JSON.stringify({ error: `bad request ${req.method} ${type}` }) + '\n');
      res.writeHead(415, { 'content-length': 0 });
      return res.end();
    }
    try {
      if (!args.sink) handle(Buffer.concat(chunks));
    } catch (e) {
      fs.appendFileSync(args.out, JSON.stringify({ error: String(e) }) + '\n');
      res.writeHead(400, { 'content-length': 0 });
      return res.end();
    }
    const out = Response.encode(Response.create({})).finish();
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': out.length });
    res.end(Buffer.from(out));
  });
});
server.keepAliveTimeout = 60000;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.listen(Number(args.port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
