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
// async session.run, so they include its few-microsecond JS overhead.
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

const round = (x) => Math.round(x * 1000) / 1000;

async function bench(ort, version, file, name, runs, warmup) {
    const sess = await ort.InferenceSession.create(file, {
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
}

main().catch((e) => { process.stderr.write(`ort_bench: ${e.message}\n`); process.exitCode = 1; });
