#!/usr/bin/env node
// ort_bench.js - single-thread latency of onnxruntime-node on livecheck's
// six face models, the peer figures that bench/run.sh sets beside ours.
//
//   node bench/ort_bench.js [--runs N] [--warmup W] [--models-dir DIR] [MODEL...]
//
// MODEL is a name such as fr_detect (default: all six). Each model gets one
// session (intraOpNumThreads 1, interOpNumThreads 1, sequential execution),
// a fixed pseudo-random input in [-1, 1) of its input shape (same seed every
// run), W warm-up runs (default 5), then N timed session.run calls (default
// 50). Prints one JSON line per model:
//   {"model":"fr_detect","median_ms":2.31,"p90_ms":2.52,"min_ms":...,"runs":50,"runtime":"onnxruntime-node 1.30.0"}
// p90 is the nearest-rank 90th percentile. Times are wall time of the public
// async session.run, so they include its few-microsecond JS overhead; a last
// line measures that overhead alone, on the smallest model there is
// (y = Relu(x), one float, built here): {"model":"call_overhead",...}.
'use strict';

const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const ORT_DIR = path.join(ROOT, 'tools', 'npm', 'node_modules', 'onnxruntime-node');
const ALL = ['fr_detect', 'fr_landmark', 'fr_liveness', 'fr_feature', 'fr_eye', 'fr_pose'];

function usage(msg) {
    if (msg) process.stderr.write(`ort_bench: ${msg}\n`);
    process.stderr.write('usage: node bench/ort_bench.js [--runs N] [--warmup W] [--models-dir DIR] [MODEL...]\n');
    process.exit(2);
}

function parseArgs(argv) {
    const a = { runs: 50, warmup: 5, dir: path.join(ROOT, 'models'), models: [] };
    const int = (v, name, min) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < min) usage(`${name} wants an integer >= ${min}`);
        return n;
    };
    for (let i = 0; i < argv.length; i++) {
        const k = argv[i];
        if (k === '--runs' || k === '-n') a.runs = int(argv[++i], k, 1);
        else if (k === '--warmup') a.warmup = int(argv[++i], k, 0);
        else if (k === '--models-dir') a.dir = argv[++i] || usage('--models-dir wants a folder');
        else if (k === '-h' || k === '--help') usage();
        else if (k.startsWith('-')) usage(`unknown option ${k}`);
        else a.models.push(k.replace(/\.onnx$/, ''));
    }
    if (!a.models.length) a.models = ALL;
    return a;
}

// mulberry32: small, fixed-seed generator so every run feeds the same input.
function rng(seed) {
    return () => {
        seed = (seed + 0x6D2B79F5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function quantile(sorted, q) { // nearest rank
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[i];
}

const round = (x) => Math.round(x * 10000) / 10000; // 0.1 us: the eye model takes 40

// y = Relu(x) on a [1,1] float, as ONNX protobuf bytes (ir_version 4,
// opset 9). Its median is onnxruntime-node's fixed cost of one session.run
// call (binding, promise, tensor wrapping), a part of every model's figure.
function tinyModel() {
    const varint = (n) => {
        const b = [];
        for (; n > 127; n >>>= 7) b.push((n & 127) | 128);
        b.push(n);
        return b;
    };
    const key = (field, wire) => varint(field * 8 + wire);
    const bytes = (field, arr) => [...key(field, 2), ...varint(arr.length), ...arr];
    const str = (field, s) => bytes(field, [...Buffer.from(s)]);
    const int = (field, n) => [...key(field, 0), ...varint(n)];
    const dim = bytes(1, int(1, 1)); // TensorShapeProto.dim { dim_value: 1 }
    const tensor = [...int(1, 1), ...bytes(2, [...dim, ...dim])]; // FLOAT, [1,1]
    const vi = (name) => [...str(1, name), ...bytes(2, bytes(1, tensor))];
    const node = [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Relu')];
    const graph = [...bytes(1, node), ...str(2, 'g'), ...bytes(11, vi('x')), ...bytes(12, vi('y'))];
    return Uint8Array.from([...int(1, 4), ...bytes(7, graph), ...bytes(8, int(2, 9))]);
}

// source: a file name or the model's bytes.
async function bench(ort, version, source, name, runs, warmup) {
    const sess = await ort.InferenceSession.create(source, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
    });
    const meta = sess.inputMetadata[0];
    const dims = meta.shape;
    if (!dims.every((d) => typeof d === 'number' && d > 0))
        throw new Error(`${name}: input shape ${dims.join(',')} is not fixed`);
    const next = rng(0x11fe);
    const data = new Float32Array(dims.reduce((x, y) => x * y, 1));
    for (let i = 0; i < data.length; i++) data[i] = next() * 2 - 1;
    const feeds = { [sess.inputNames[0]]: new ort.Tensor('float32', data, dims) };

    for (let i = 0; i < warmup; i++) await sess.run(feeds);
    const ms = new Array(runs);
    for (let i = 0; i < runs; i++) {
        const t0 = process.hrtime.bigint();
        await sess.run(feeds);
        ms[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    await sess.release();
    ms.sort((x, y) => x - y);
    return {
        model: name,
        median_ms: round(quantile(ms, 0.5)),
        p90_ms: round(quantile(ms, 0.9)),
        min_ms: round(ms[0]),
        runs,
        runtime: `onnxruntime-node ${version}`,
    };
}

async function main() {
    const a = parseArgs(process.argv.slice(2));
    let ort;
    try {
        ort = require(ORT_DIR);
    } catch (e) {
        throw new Error(`cannot load onnxruntime-node from ${ORT_DIR} (run scripts/fetch-models.sh): ${e.message}`);
    }
    const version = require(path.join(ORT_DIR, 'package.json')).version;
    for (const name of a.models) {
        const file = path.join(a.dir, `${name}.onnx`);
        if (!fs.existsSync(file)) throw new Error(`${file} not found (run scripts/fetch-models.sh)`);
        const r = await bench(ort, version, file, name, a.runs, a.warmup);
        process.stdout.write(JSON.stringify(r) + '\n');
    }
    const o = await bench(ort, version, tinyModel(), 'call_overhead', a.runs, a.warmup);
    process.stdout.write(JSON.stringify(o) + '\n');
}

main().catch((e) => { process.stderr.write(`ort_bench: ${e.message}\n`); process.exitCode = 1; });
