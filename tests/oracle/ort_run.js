#!/usr/bin/env node
// ort_run.js - run an ONNX model with onnxruntime-node as the test oracle.
//
//   node tests/oracle/ort_run.js MODEL.onnx INPUT.f32 OUTDIR [SHAPE]
//   node tests/oracle/ort_run.js --batch LIST.txt     (LIST.txt or - for stdin)
//
// INPUT.f32 is the model's single input as raw little-endian float32 in its
// fixed shape, read from the session's input metadata; SHAPE ("1,3,240,320")
// is needed only for a model whose input shape is not fixed, and is checked
// against the metadata otherwise. For every output, in session.outputNames
// order, OUTDIR/<i>.f32 gets raw little-endian float32 and OUTDIR/outputs.json
// gets {"model","input":{name,dims},"outputs":[{index,name,dims,file}]}.
//
// --batch: each line is "MODEL INPUT OUTDIR [SHAPE]" ('#' comments and blank
// lines skipped); one session per model is created once and reused. For each
// line it prints "ok OUTDIR" or "error LINE: message" as soon as it is done,
// so a test can drive it as a server over a pipe. Exit status 1 if any failed.
//
// As a module: const oracle = require('./tests/oracle/ort_run.js');
//   await oracle.run(model, float32Array[, dims]) -> [{name, dims, data}]
//   await oracle.runFiles(model, inputPath, outDir[, dims])
// Sessions use one intra-op and one inter-op thread, sequential execution.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

const ORT_DIR = path.join(__dirname, '..', '..', 'tools', 'npm', 'node_modules', 'onnxruntime-node');
let ort;
function loadOrt() {
    if (!ort) {
        try {
            ort = require(ORT_DIR);
        } catch (e) {
            throw new Error(`cannot load onnxruntime-node from ${ORT_DIR} (run scripts/fetch-models.sh): ${e.message}`);
        }
    }
    return ort;
}

const SESSION_OPTIONS = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
};

const sessions = new Map(); // resolved model path -> Promise<InferenceSession>
function session(model) {
    const key = path.resolve(model);
    if (!sessions.has(key)) {
        const p = loadOrt().InferenceSession.create(key, SESSION_OPTIONS);
        p.catch(() => sessions.delete(key));
        sessions.set(key, p);
    }
    return sessions.get(key);
}

function parseDims(s) {
    const dims = String(s).split(/[,x]/).map((t) => Number(t.trim()));
    if (!dims.length || dims.some((d) => !Number.isInteger(d) || d <= 0))
        throw new Error(`bad shape "${s}": want positive integers like 1,3,240,320`);
    return dims;
}

// The single input's name and dims: metadata where fixed, else the given dims.
function inputSpec(sess, given) {
    if (sess.inputNames.length !== 1)
        throw new Error(`model has ${sess.inputNames.length} inputs; ort_run.js feeds exactly one`);
    const name = sess.inputNames[0];
    const meta = Array.isArray(sess.inputMetadata) ? sess.inputMetadata[0] : undefined;
    const shape = meta && Array.isArray(meta.shape) ? meta.shape : null;
    const fixed = shape && shape.every((d) => typeof d === 'number' && d > 0);
    if (given) {
        if (fixed && (given.length !== shape.length || given.some((d, i) => d !== shape[i])))
            throw new Error(`shape ${given.join(',')} does not match the model's input ${shape.join(',')}`);
        return { name, dims: given };
    }
    if (!fixed)
        throw new Error(`input "${name}" has no fixed shape (${shape ? shape.join(',') : 'unknown'}): pass SHAPE`);
    return { name, dims: shape.slice() };
}

const count = (dims) => dims.reduce((a, b) => a * b, 1);

function toFloat32(data) {
    return data instanceof Float32Array ? data : Float32Array.from(data, Number);
}

// Run model on a Float32Array; returns outputs in session.outputNames order.
async function run(model, input, dims) {
    const o = loadOrt();
    const sess = await session(model);
    const spec = inputSpec(sess, dims);
    if (input.length !== count(spec.dims))
        throw new Error(`input has ${input.length} floats; shape ${spec.dims.join(',')} needs ${count(spec.dims)}`);
    const result = await sess.run({ [spec.name]: new o.Tensor('float32', input, spec.dims) });
    return {
        input: spec,
        outputs: sess.outputNames.map((name) => {
            const t = result[name];
            return { name, dims: Array.from(t.dims, Number), type: t.type, data: toFloat32(t.data) };
        }),
    };
}

function readF32(file) {
    const buf = fs.readFileSync(file);
    if (buf.length % 4) throw new Error(`${file}: ${buf.length} bytes is not a whole number of float32`);
    const out = new Float32Array(buf.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
    return out;
}

function writeF32(file, data) {
    const buf = Buffer.alloc(data.length * 4);
    for (let i = 0; i < data.length; i++) buf.writeFloatLE(data[i], i * 4);
    fs.writeFileSync(file, buf);
}

async function runFiles(model, inputPath, outDir, dims) {
    const input = readF32(inputPath);
    const r = await run(model, input, dims);
    fs.mkdirSync(outDir, { recursive: true });
    const outputs = r.outputs.map((t, i) => {
        writeF32(path.join(outDir, `${i}.f32`), t.data);
        const o = { index: i, name: t.name, dims: t.dims, file: `${i}.f32` };
        if (t.type !== 'float32') o.source_type = t.type;
        return o;
    });
    const doc = { model: path.basename(model), input: { name: r.input.name, dims: r.input.dims }, outputs };
    fs.writeFileSync(path.join(outDir, 'outputs.json'), JSON.stringify(doc) + '\n');
    return doc;
}

async function batch(listPath) {
    const stream = listPath === '-' ? process.stdin : fs.createReadStream(listPath);
    const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
    let failed = 0;
    let n = 0;
    for await (const raw of rl) {
        n++;
        const line = raw.replace(/#.*/, '').trim();
        if (!line) continue;
        const f = line.split(/\s+/);
        try {
            if (f.length < 3 || f.length > 4) throw new Error('want MODEL INPUT OUTDIR [SHAPE]');
            await runFiles(f[0], f[1], f[2], f[3] ? parseDims(f[3]) : undefined);
            process.stdout.write(`ok ${f[2]}\n`);
        } catch (e) {
            failed++;
            process.stdout.write(`error ${n}: ${e.message}\n`);
        }
    }
    return failed ? 1 : 0;
}

async function main(argv) {
    if (argv[0] === '--batch' && argv.length === 2) return batch(argv[1]);
    if (argv.length === 3 || argv.length === 4) {
        const doc = await runFiles(argv[0], argv[1], argv[2], argv[3] ? parseDims(argv[3]) : undefined);
        for (const o of doc.outputs) process.stdout.write(`${o.index} ${o.name} ${o.dims.join('x')}\n`);
        return 0;
    }
    process.stderr.write('usage: node tests/oracle/ort_run.js MODEL.onnx INPUT.f32 OUTDIR [SHAPE]\n' +
                         '       node tests/oracle/ort_run.js --batch LIST.txt|-\n');
    return 2;
}

module.exports = { run, runFiles, session, readF32, writeF32, SESSION_OPTIONS };

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => { process.exitCode = code; },
        (e) => { process.stderr.write(`ort_run: ${e.message}\n`); process.exitCode = 1; });
}
